//! Dynamic pricing beyond the auction: the tariff of consumers who do not bid, and the energy
//! price the weather indicates where the auction sets none (and before it does).

use crate::pallet::{Config, Limits, Pallet, Tariff, WeatherModels};
use daeg_primitives::{
	balancing::GridControl,
	pricing::{ForecastPrice, Weather},
	GridClock, IntervalIndex, PricePerKWh, ZoneId,
};
use sp_runtime::Perbill;

impl<T: Config> Pallet<T> {
	/// The tariff of an interval the auction did not reach (or a zone it did not): the
	/// weather's energy price and the hour's grid fee, within the floor and cap.
	pub fn tariff_without_market(interval: IntervalIndex, zone: ZoneId) -> PricePerKWh {
		Self::tariff(interval, zone, None, false, Perbill::zero())
	}

	/// `zone`'s tariff in `interval`: its energy price (`price`, or the weather's where the
	/// auction set none), the hour's grid fee, the congestion surcharge if `congested`, and
	/// the scarcity surcharge times `unmet` (the share of demand supply could not meet);
	/// within the floor and cap, and the zone's emergency cap. While the zone's market is
	/// halted: the emergency tariff instead.
	pub(crate) fn tariff(
		interval: IntervalIndex,
		zone: ZoneId,
		price: Option<PricePerKWh>,
		congested: bool,
		unmet: Perbill,
	) -> PricePerKWh {
		let market = T::Balancing::market(zone);
		let limits = Limits::<T>::get();
		let cap = market.cap.unwrap_or(limits.cap);
		if let Some(emergency) = market.halted {
			return limits.bound(emergency).min(cap);
		}
		let params = Tariff::<T>::get();
		let hour = interval.hour_of_day(T::Grid::interval_length_ms()).unwrap_or(0);
		let fee = params.grid_fees.get(usize::from(hour)).copied().unwrap_or_default();
		let congestion = if congested { params.congestion } else { PricePerKWh::ZERO };
		let scarcity = PricePerKWh(unmet.mul_floor(params.scarcity.0));
		let total = price
			.unwrap_or_else(|| {
				Self::weather_price(zone, Self::agreed_weather(interval, zone), params.reference)
			})
			.saturating_add(fee)
			.saturating_add(congestion)
			.saturating_add(scarcity);
		limits.bound(total).min(cap)
	}

	/// The energy price `weather` (the forecast for `zone`) indicates, from the `reference`
	/// price (which it is without a forecast or a model for the zone).
	fn weather_price(
		zone: ZoneId,
		weather: Option<Weather>,
		reference: PricePerKWh,
	) -> PricePerKWh {
		match (weather, WeatherModels::<T>::get(zone)) {
			(Some(weather), Some(model)) => crate::weather::price(&model, reference, &weather),
			_ => reference,
		}
	}

	/// What the weather indicates for `zone` in `interval`: the forecast, the energy price
	/// within the floor and cap, and the tariff without the auction's surcharges.
	pub(crate) fn forecast_price(interval: IntervalIndex, zone: ZoneId) -> ForecastPrice {
		let weather = Self::agreed_weather(interval, zone);
		let price = Self::weather_price(zone, weather, Tariff::<T>::get().reference);
		ForecastPrice {
			weather,
			price: Limits::<T>::get().bound(price),
			// The tariff without a market, from the weather price just computed.
			tariff: Self::tariff(interval, zone, Some(price), false, Perbill::zero()),
		}
	}
}
