//! What the market (`pallet-pricing`) shares with the other pallets and clients: orders, zone
//! links and clearing results.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

use crate::{
	Energy, IntervalIndex, Irradiance, Money, Power, PricePerKWh, Rounding, Temperature, WindSpeed,
	ZoneId,
};
use sp_runtime::Perbill;

/// Identifies an order: its interval and its slot in that interval's book.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct OrderId {
	/// The interval the order is for.
	pub interval: IntervalIndex,
	/// Its slot in the interval's book (in order of arrival).
	pub slot: u32,
}

/// Whether an order buys or sells.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub enum Side {
	/// A bid: buys.
	Buy,
	/// An ask: sells.
	Sell,
}

/// A link between two zones and the most power it carries each way.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct ZoneLink {
	/// One end.
	pub a: ZoneId,
	/// The other end.
	pub b: ZoneId,
	/// The most power from `a` to `b`.
	pub a_to_b: Power,
	/// The most power from `b` to `a`.
	pub b_to_a: Power,
}

/// A zone's result of an interval's auction.
#[derive(
	Clone,
	Copy,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct ZoneClearing {
	/// The clearing price; `None` if the market did not reach the zone.
	pub price: Option<PricePerKWh>,
	/// Energy the zone's bids bought.
	pub bought: Energy,
	/// Energy the zone's asks sold.
	pub sold: Energy,
	/// Energy the zone's bids asked for (the book's demand).
	pub demanded: Energy,
	/// Energy the zone's asks offered (the book's supply).
	pub offered: Energy,
	/// What consumers who did not bid pay per kWh (see [`TariffParameters`]).
	pub tariff: PricePerKWh,
}

/// What governance sets for the tariff of consumers who do not bid. A zone's tariff in an
/// interval is its energy price (the clearing price, or `reference` where the auction set
/// none) plus `grid_fees` for the hour of day, plus `congestion` when the zone imported at a
/// link's limit, plus `scarcity` scaled by the share of the book's demand that supply offered
/// in the zone could not meet; all within the market's floor and cap.
#[derive(
	Clone,
	Copy,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct TariffParameters {
	/// The energy price where the auction set none.
	pub reference: PricePerKWh,
	/// The grid fee for each hour of the day (UTC), from midnight.
	pub grid_fees: [PricePerKWh; 24],
	/// The surcharge while the zone imports at a link's limit.
	pub congestion: PricePerKWh,
	/// The surcharge when supply meets none of the demand (scaled down as it meets more).
	pub scarcity: PricePerKWh,
}

/// The prices at which deviations from traded positions are settled: `short` for energy the
/// grid had to supply (a seller's shortfall; at least the clearing price), `long` for energy
/// the grid had to take (a seller's surplus and unsold export; a buyer's unused purchase at
/// most at the clearing price). `long ≤ short`, so that no deviation pays.
#[derive(
	Clone,
	Copy,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct ImbalancePrices {
	/// Paid per kWh the grid supplied.
	pub short: PricePerKWh,
	/// Received per kWh the grid took.
	pub long: PricePerKWh,
}

/// What one account was charged and credited in settlement: for one meter and interval (in
/// events) or summed over a day (in statements). Charges are rounded up and credits down.
#[derive(
	Clone,
	Copy,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct Statement {
	/// Energy bought in the auction.
	pub bought: Energy,
	/// Paid for it at the clearing price.
	#[serde(with = "crate::money_string")]
	pub bought_cost: Money,
	/// Energy sold in the auction.
	pub sold: Energy,
	/// Received for it at the clearing price.
	#[serde(with = "crate::money_string")]
	pub sold_revenue: Money,
	/// Consumption beyond what was bought.
	pub tariff_energy: Energy,
	/// Paid for it at the tariff.
	#[serde(with = "crate::money_string")]
	pub tariff_cost: Money,
	/// Energy sold but not delivered.
	pub short: Energy,
	/// Paid for it at the short imbalance price.
	#[serde(with = "crate::money_string")]
	pub short_cost: Money,
	/// Energy bought but not used, and export beyond what was sold.
	pub long: Energy,
	/// Received for it: unused purchases at the long imbalance price or the clearing price,
	/// whichever is lower; surplus export at the long price.
	#[serde(with = "crate::money_string")]
	pub long_credit: Money,
}

impl Statement {
	/// Everything charged.
	pub fn charged(&self) -> Money {
		self.bought_cost.saturating_add(self.tariff_cost).saturating_add(self.short_cost)
	}

	/// Everything credited.
	pub fn credited(&self) -> Money {
		self.sold_revenue.saturating_add(self.long_credit)
	}

	/// Adds `other` (a day's statement grows by each settled line).
	pub fn add(&mut self, other: &Statement) {
		self.bought = self.bought.saturating_add(other.bought);
		self.bought_cost = self.bought_cost.saturating_add(other.bought_cost);
		self.sold = self.sold.saturating_add(other.sold);
		self.sold_revenue = self.sold_revenue.saturating_add(other.sold_revenue);
		self.tariff_energy = self.tariff_energy.saturating_add(other.tariff_energy);
		self.tariff_cost = self.tariff_cost.saturating_add(other.tariff_cost);
		self.short = self.short.saturating_add(other.short);
		self.short_cost = self.short_cost.saturating_add(other.short_cost);
		self.long = self.long.saturating_add(other.long);
		self.long_credit = self.long_credit.saturating_add(other.long_credit);
	}

	/// Whether nothing was bought, sold or metered.
	pub fn is_empty(&self) -> bool {
		*self == Self::default()
	}

	/// The line of a meter in an interval: `bought` and `sold` in the auction at `price`,
	/// `consumed` and `exported` as metered; consumption beyond purchases at `tariff`,
	/// deviations at `imbalance`. `None` if an amount overflows.
	///
	/// No deviation pays more than the position it deviates from: a shortfall costs at least
	/// `price` (no seller keeps money for energy its meter did not measure), and bought energy
	/// left unused is taken back at most at `price` (no buyer earns by bidding cheap and
	/// consuming nothing, whatever the long price). Only export beyond what was sold earns the
	/// long price.
	pub fn line(
		(bought, sold): (Energy, Energy),
		(consumed, exported): (Energy, Energy),
		price: PricePerKWh,
		tariff: PricePerKWh,
		imbalance: ImbalancePrices,
	) -> Option<Statement> {
		let tariff_energy = consumed.saturating_sub(bought);
		let short = sold.saturating_sub(exported);
		let unused = bought.saturating_sub(consumed);
		let surplus = exported.saturating_sub(sold);
		let long_credit = imbalance
			.long
			.min(price)
			.cost_of(unused, Rounding::Down)?
			.checked_add(imbalance.long.cost_of(surplus, Rounding::Down)?)?;
		Some(Statement {
			bought,
			bought_cost: price.cost_of(bought, Rounding::Up)?,
			sold,
			sold_revenue: price.cost_of(sold, Rounding::Down)?,
			tariff_energy,
			tariff_cost: tariff.cost_of(tariff_energy, Rounding::Up)?,
			short,
			short_cost: imbalance.short.max(price).cost_of(short, Rounding::Up)?,
			long: unused.checked_add(surplus)?,
			long_credit,
		})
	}

	/// The line that trues up a meter's final substitutes against a later real reading
	/// ([`crate::metering::Correction`]), at the `tariff` of the interval the reading came in
	/// and the `imbalance` prices. A silent meter must never pay off: import the substitutes
	/// under-counted is charged at the higher of the tariff and the short price, import they
	/// over-counted is refunded at the lower of the tariff and the long price, and export
	/// (substitutes are never paid as delivery) is credited at the long price up to
	/// `exportable`, what the connection carried over the corrected intervals. A flagged
	/// reading is credited nothing. `None` if an amount overflows.
	pub fn correction(
		correction: &crate::metering::Correction,
		tariff: PricePerKWh,
		imbalance: ImbalancePrices,
		exportable: Energy,
	) -> Option<Statement> {
		let (counted, measured) = (correction.counted.0, correction.measured.0);
		let more = measured.saturating_sub(counted);
		let flagged = correction.anomaly.is_some();
		let less = if flagged { Energy::ZERO } else { counted.saturating_sub(measured) };
		let export = if flagged { Energy::ZERO } else { correction.measured.1.min(exportable) };
		Some(Statement {
			tariff_energy: more,
			tariff_cost: tariff.max(imbalance.short).cost_of(more, Rounding::Up)?,
			long: less.checked_add(export)?,
			long_credit: tariff
				.min(imbalance.long)
				.cost_of(less, Rounding::Down)?
				.checked_add(imbalance.long.cost_of(export, Rounding::Down)?)?,
			..Default::default()
		})
	}

	/// What the line pays its account, less what it charges (negative: the account pays).
	pub fn net(&self) -> i128 {
		let credited = i128::try_from(self.credited()).unwrap_or(i128::MAX);
		let charged = i128::try_from(self.charged()).unwrap_or(i128::MAX);
		credited.saturating_sub(charged)
	}
}

/// One price level of an order book: the energy bids (or asks) want at that limit price.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct PriceLevel {
	/// The limit price.
	pub price: PricePerKWh,
	/// The live orders' energy at it.
	pub energy: Energy,
	/// How many live orders.
	pub orders: u32,
}

/// A zone's order book for one interval, by price level: bids from the dearest, asks from the
/// cheapest.
#[derive(
	Clone,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct BookDepth {
	/// Bid levels, dearest first.
	pub bids: alloc::vec::Vec<PriceLevel>,
	/// Ask levels, cheapest first.
	pub asks: alloc::vec::Vec<PriceLevel>,
}

/// An interval's result of the auction: each zone's and the links' flows.
#[derive(
	Clone,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct IntervalClearing {
	/// Each zone's result.
	pub zones: alloc::vec::Vec<(ZoneId, ZoneClearing)>,
	/// Net energy over each link, from its first zone to its second (negative: back), Wh.
	pub flows: alloc::vec::Vec<(ZoneId, ZoneId, i64)>,
}

/// Where the market stands.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct MarketStatus {
	/// Grid time now, ms since the Unix epoch.
	pub now_ms: u64,
	/// How grid time runs faster than the chain's clock (demo and research chains).
	pub time_scale: Option<crate::TimeScale>,
	/// The interval length, ms.
	pub interval_length_ms: u64,
	/// The current interval.
	pub current: IntervalIndex,
	/// The first interval orders are taken for.
	pub first_open: IntervalIndex,
	/// The next interval the hook clears (`None` before the first block with a timestamp).
	pub next_to_clear: Option<IntervalIndex>,
	/// The oldest interval not yet fully settled.
	pub next_to_settle: Option<IntervalIndex>,
	/// The price floor.
	pub floor: PricePerKWh,
	/// The price cap.
	pub cap: PricePerKWh,
	/// The imbalance prices.
	pub imbalance: ImbalancePrices,
	/// The tariff's parameters.
	pub tariff: TariffParameters,
	/// What the settlement pot holds.
	#[serde(with = "crate::money_string")]
	pub pot: Money,
}

/// An account's standing with the market.
#[derive(
	Clone,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct AccountStatements {
	/// Its daily statements in the asked window that are still kept.
	pub days: alloc::vec::Vec<(crate::DayIndex, Statement)>,
	/// What it owes the market.
	#[serde(with = "crate::money_string")]
	pub arrears: Money,
	/// What the market owes it.
	#[serde(with = "crate::money_string")]
	pub owed: Money,
}

/// A weather forecast for one zone and interval, as the weather oracle submits it.
#[derive(
	Clone,
	Copy,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct Weather {
	/// Global horizontal irradiance.
	pub irradiance: Irradiance,
	/// Wind speed at hub height.
	pub wind_speed: WindSpeed,
	/// Air temperature.
	pub temperature: Temperature,
}

/// Irradiance at full sun (standard test conditions): PV runs at its rated power.
pub const FULL_SUN: Irradiance = Irradiance(1_000);
/// The most irradiance a forecast may give (the solar constant is 1,361 W/m² above the air).
pub const MAX_IRRADIANCE: Irradiance = Irradiance(1_500);
/// The fastest wind a forecast may give: 120 m/s.
pub const MAX_WIND_SPEED: WindSpeed = WindSpeed(120_000);
/// The coldest temperature a forecast may give.
pub const MIN_TEMPERATURE: Temperature = Temperature::from_celsius(-100);
/// The hottest temperature a forecast may give.
pub const MAX_TEMPERATURE: Temperature = Temperature::from_celsius(70);

impl Weather {
	/// Whether every value is one the Earth's weather can take (a guard against unit mistakes,
	/// such as wind in m/s where mm/s is meant).
	pub fn is_plausible(&self) -> bool {
		self.irradiance <= MAX_IRRADIANCE
			&& self.wind_speed <= MAX_WIND_SPEED
			&& (MIN_TEMPERATURE..=MAX_TEMPERATURE).contains(&self.temperature)
	}

	/// The forecast several oracles agree on: the median of each value taken on its own (the
	/// mean of the middle two when their number is even). One oracle, or fewer than half of
	/// them, cannot move it beyond the range of the others' values. `None` without forecasts.
	pub fn median(forecasts: &[Weather]) -> Option<Weather> {
		fn middle<V: Ord + Copy>(
			values: impl Iterator<Item = V>,
			mean: impl Fn(V, V) -> V,
		) -> Option<V> {
			let mut values: alloc::vec::Vec<V> = values.collect();
			values.sort_unstable();
			let upper = values.len() / 2;
			let high = *values.get(upper)?;
			Some(match upper.checked_sub(1).filter(|_| values.len().is_multiple_of(2)) {
				Some(lower) => mean(*values.get(lower)?, high),
				None => high,
			})
		}
		let all = || forecasts.iter();
		Some(Weather {
			irradiance: Irradiance(middle(all().map(|w| w.irradiance.0), u32::midpoint)?),
			wind_speed: WindSpeed(middle(all().map(|w| w.wind_speed.0), u32::midpoint)?),
			temperature: Temperature(middle(all().map(|w| w.temperature.0), i32::midpoint)?),
		})
	}
}

/// The weather a zone can see in one season: what a forecast beyond it is refused as.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct WeatherRange {
	/// The strongest irradiance.
	pub max_irradiance: Irradiance,
	/// The fastest wind.
	pub max_wind_speed: WindSpeed,
	/// The coldest temperature.
	pub min_temperature: Temperature,
	/// The hottest temperature.
	pub max_temperature: Temperature,
}

impl WeatherRange {
	/// Whether `weather` lies within the range.
	pub fn contains(&self, weather: &Weather) -> bool {
		weather.irradiance <= self.max_irradiance
			&& weather.wind_speed <= self.max_wind_speed
			&& (self.min_temperature..=self.max_temperature).contains(&weather.temperature)
	}
}

/// How far one forecast of an interval may move from the same oracle's previous forecast of
/// it: forecasts sharpen as the interval nears, they do not leap.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct WeatherChange {
	/// The largest change of irradiance.
	pub irradiance: Irradiance,
	/// The largest change of wind speed.
	pub wind_speed: WindSpeed,
	/// The largest change of temperature, in m°C.
	pub temperature: u32,
}

impl WeatherChange {
	/// Whether `next` lies within this change of `previous`.
	pub fn allows(&self, previous: &Weather, next: &Weather) -> bool {
		previous.irradiance.0.abs_diff(next.irradiance.0) <= self.irradiance.0
			&& previous.wind_speed.0.abs_diff(next.wind_speed.0) <= self.wind_speed.0
			&& previous.temperature.0.abs_diff(next.temperature.0) <= self.temperature
	}
}

/// A zone's climate, set by governance: the weather plausible in each season and the largest
/// revision of a forecast. Forecasts outside it are refused, so that an oracle's mistake or
/// malice moves prices no further than real weather could.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct Climate {
	/// The plausible weather by season (UTC months): December to February, March to May, June
	/// to August, September to November.
	pub seasons: [WeatherRange; 4],
	/// The largest revision of a forecast.
	pub max_change: WeatherChange,
}

impl Climate {
	/// The season of a calendar month (1 to 12): 0 for December to February, then by quarter.
	pub const fn season(month: u8) -> usize {
		(month % 12 / 3) as usize
	}

	/// Whether `weather` is plausible in calendar `month` (1 to 12).
	pub fn allows(&self, month: u8, weather: &Weather) -> bool {
		self.seasons.get(Self::season(month)).is_some_and(|range| range.contains(weather))
	}

	/// Whether every season's range lies within the Earth's ([`Weather::is_plausible`]), with
	/// its coldest temperature no warmer than its hottest.
	pub fn is_valid(&self) -> bool {
		self.seasons.iter().all(|r| {
			r.max_irradiance <= MAX_IRRADIANCE
				&& r.max_wind_speed <= MAX_WIND_SPEED
				&& MIN_TEMPERATURE <= r.min_temperature
				&& r.min_temperature <= r.max_temperature
				&& r.max_temperature <= MAX_TEMPERATURE
		})
	}
}

/// How the weather moves a zone's energy price where the auction sets none (and the indicative
/// price before it does), set by governance per zone.
///
/// The price is the tariff's reference price, raised by `heating` for each degree the
/// temperature lies below `heating_below` and by `cooling` for each degree above
/// `cooling_above` (demand for heat pumps and air conditioning), and lowered by `solar` times
/// the PV output (irradiance over [`FULL_SUN`], at most one) and by `wind` times the wind
/// turbines' output: zero below `cut_in`, rising with the cube of the speed to one at
/// `rated`, one up to `cut_out`, where turbines stop for the storm. Never below zero.
#[derive(
	Clone,
	Copy,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct WeatherModel {
	/// The price drop when PV runs at full power.
	pub solar: PricePerKWh,
	/// The price drop when wind turbines run at rated power.
	pub wind: PricePerKWh,
	/// The wind speed turbines start at.
	pub cut_in: WindSpeed,
	/// The wind speed turbines reach rated power at.
	pub rated: WindSpeed,
	/// The wind speed turbines stop at.
	pub cut_out: WindSpeed,
	/// Below this temperature, demand for heat raises the price.
	pub heating_below: Temperature,
	/// The rise per degree below `heating_below`.
	pub heating: PricePerKWh,
	/// Above this temperature, demand for cooling raises the price.
	pub cooling_above: Temperature,
	/// The rise per degree above `cooling_above`.
	pub cooling: PricePerKWh,
}

impl WeatherModel {
	/// Whether the wind speeds rise (`cut_in < rated < cut_out`) and heating starts no higher
	/// than cooling.
	pub fn is_valid(&self) -> bool {
		self.cut_in < self.rated
			&& self.rated < self.cut_out
			&& self.heating_below <= self.cooling_above
	}

	/// Every price of the model.
	pub fn prices(&self) -> [PricePerKWh; 4] {
		[self.solar, self.wind, self.heating, self.cooling]
	}

	/// PV's output at `weather`, as a share of its rated power.
	pub fn solar_output(weather: &Weather) -> Perbill {
		let sun = weather.irradiance.min(FULL_SUN);
		Perbill::from_rational(sun.0, FULL_SUN.0)
	}

	/// Wind turbines' output at `weather`, as a share of their rated power.
	pub fn wind_output(&self, weather: &Weather) -> Perbill {
		let v = weather.wind_speed;
		if v < self.cut_in || v >= self.cut_out {
			return Perbill::zero();
		}
		if v >= self.rated {
			return Perbill::one();
		}
		let cube = |s: WindSpeed| u128::from(s.0).pow(3);
		let span = cube(self.rated).saturating_sub(cube(self.cut_in));
		Perbill::from_rational(cube(v).saturating_sub(cube(self.cut_in)), span)
	}

	/// The energy price the weather indicates, from the `reference` price.
	pub fn price(&self, reference: PricePerKWh, weather: &Weather) -> PricePerKWh {
		// Rates are per degree; temperatures in thousandths of one.
		let per_degree = |rate: PricePerKWh, millis: u32| {
			PricePerKWh(rate.0.saturating_mul(u128::from(millis)) / 1_000)
		};
		let t = weather.temperature;
		let raised = reference
			.saturating_add(per_degree(self.heating, t.below(self.heating_below)))
			.saturating_add(per_degree(self.cooling, self.cooling_above.below(t)));
		let drop = PricePerKWh(Self::solar_output(weather).mul_floor(self.solar.0))
			.saturating_add(PricePerKWh(self.wind_output(weather).mul_floor(self.wind.0)));
		raised.saturating_sub(drop)
	}
}

/// What the weather indicates for a zone and interval.
#[derive(
	Clone,
	Copy,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct ForecastPrice {
	/// The oracle's forecast, if it submitted one.
	pub weather: Option<Weather>,
	/// The energy price it indicates (see [`WeatherModel`]; the reference price without a
	/// forecast or a model), within the floor and cap.
	pub price: PricePerKWh,
	/// The tariff it indicates for consumers who do not bid: that price and the hour's grid
	/// fee (congestion and scarcity are only known once the book clears).
	pub tariff: PricePerKWh,
}

sp_api::decl_runtime_apis! {
	/// The market (the `pricing_*` RPC methods).
	pub trait MarketApi<AccountId> where AccountId: codec::Codec {
		/// Where the market stands: clock, parameters and the pot.
		fn status() -> MarketStatus;
		/// A zone's results from interval `from` to `to` (at most `MAX_QUERY_INTERVALS`, the
		/// kept ones), with the tariff of intervals the auction did not reach.
		fn prices(zone: ZoneId, from: IntervalIndex, to: IntervalIndex) -> alloc::vec::Vec<(IntervalIndex, ZoneClearing)>;
		/// An interval's result, if it was cleared and is still kept.
		fn clearing(interval: IntervalIndex) -> Option<IntervalClearing>;
		/// What clearing an interval's book as it stands would give each zone: the indicative
		/// price of a book still open.
		fn indicative(interval: IntervalIndex) -> alloc::vec::Vec<(ZoneId, ZoneClearing)>;
		/// What the weather oracle's forecasts indicate for a zone from interval `from` to `to`
		/// (at most `MAX_QUERY_INTERVALS`).
		fn forecast(zone: ZoneId, from: IntervalIndex, to: IntervalIndex) -> alloc::vec::Vec<(IntervalIndex, ForecastPrice)>;
		/// A zone's book for an interval (open, or cleared and not yet settled).
		fn depth(interval: IntervalIndex, zone: ZoneId) -> BookDepth;
		/// An account's daily statements from day `from` to `to`, arrears and what it is owed.
		fn statements(who: AccountId, from: crate::DayIndex, to: crate::DayIndex) -> AccountStatements;
		/// The meter intervals held out of settlement (at most `MAX_QUERY_INTERVALS`), oldest
		/// interval first.
		fn quarantined() -> alloc::vec::Vec<(IntervalIndex, crate::MeterId, Quarantined<AccountId>)>;
	}
}

/// A meter's interval held out of settlement: its final value was flagged (see
/// [`crate::metering::Anomaly`]), so nothing is paid or charged for it until a certifier or the
/// grid operators release it, as it is or with a corrected value.
#[derive(
	Clone,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct Quarantined<AccountId> {
	/// Whose meter it is (who is paid or charged once it is released).
	pub owner: AccountId,
	/// The meter's zone.
	pub zone: ZoneId,
	/// The flagged final value.
	pub record: crate::metering::IntervalRecord,
	/// Energy the meter's bids bought in the interval.
	pub bought: Energy,
	/// Energy the meter's asks sold in the interval.
	pub sold: Energy,
	/// The interval's clearing price in the zone (zero where the auction set none).
	pub price: PricePerKWh,
	/// The interval's tariff in the zone.
	pub tariff: PricePerKWh,
	/// What stays held of the owner's orders until release.
	#[serde(with = "crate::money_string")]
	pub held: Money,
}

/// What the market knows of a member's standing: whether it owes the market, and whether a
/// meter still has positions to settle. The metering pallet asks before it lets a meter go,
/// so that nobody leaves without paying.
pub trait MarketStanding<AccountId> {
	/// Whether `who` owes the market arrears.
	fn in_arrears(who: &AccountId) -> bool;
	/// Whether `meter` has orders in an interval not yet settled.
	fn has_positions(meter: crate::MeterId) -> bool;
	/// The most weight one call of either may take.
	fn weight() -> sp_runtime::Weight;
}

impl<AccountId> MarketStanding<AccountId> for () {
	fn in_arrears(_: &AccountId) -> bool {
		false
	}
	fn has_positions(_: crate::MeterId) -> bool {
		false
	}
	fn weight() -> sp_runtime::Weight {
		sp_runtime::Weight::zero()
	}
}

/// The most intervals one `prices` query covers.
pub const MAX_QUERY_INTERVALS: u32 = 2_000;

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	/// Prices up to the market's highest (10^18 per kWh) and energies up to a TWh: every
	/// amount fits, as in the runtime.
	fn price() -> impl Strategy<Value = PricePerKWh> {
		prop_oneof![0u128..1_000, 0u128..=1_000_000_000_000_000_000].prop_map(PricePerKWh)
	}

	fn energy() -> impl Strategy<Value = Energy> {
		prop_oneof![0u64..10_000, 0u64..=1_000_000_000_000].prop_map(Energy)
	}

	fn imbalance() -> impl Strategy<Value = ImbalancePrices> {
		(price(), price()).prop_map(|(a, b)| ImbalancePrices { short: a.max(b), long: a.min(b) })
	}

	/// What `energy` is worth at `price`, exactly (no rounding), in thousandths of a unit.
	fn worth(price: PricePerKWh, energy: Energy) -> i128 {
		(price.0 * u128::from(energy.0)) as i128
	}

	proptest! {
		#![proptest_config(ProptestConfig { cases: 5_000, .. ProptestConfig::default() })]

		/// A buyer that uses less than it bought (and exports nothing) pays at least what the
		/// energy it used cost at the clearing price: bidding cheap and consuming nothing never
		/// earns, whatever the long price.
		#[test]
		fn unused_purchases_never_pay_more_than_they_cost(
			bought in energy(), used in energy(), p in price(), tariff in price(),
			imb in imbalance(),
		) {
			let consumed = Energy(used.0.min(bought.0));
			let line = Statement::line((bought, Energy::ZERO), (consumed, Energy::ZERO), p, tariff, imb).unwrap();
			prop_assert!(line.net() * 1_000 <= -worth(p, consumed));
			prop_assert!(line.long_credit <= line.bought_cost);
			prop_assert!(line.net() <= 0);
		}

		/// A seller that delivers less than it sold (and imports nothing) receives at most what
		/// the energy it delivered is worth at the clearing price.
		#[test]
		fn shortfalls_never_pay_more_than_the_delivery(
			sold in energy(), delivered in energy(), p in price(), tariff in price(),
			imb in imbalance(),
		) {
			let exported = Energy(delivered.0.min(sold.0));
			let line = Statement::line((Energy::ZERO, sold), (Energy::ZERO, exported), p, tariff, imb).unwrap();
			prop_assert!(line.net() * 1_000 <= worth(p, exported));
		}

		/// Whatever was traded and metered, no line pays more than what the meter measured
		/// of the position is worth at the clearing price (sold energy delivered, less bought
		/// energy used) plus export beyond what was sold at the long price; charges are never
		/// rounded in the account's favour, credits never against the market.
		#[test]
		fn no_line_pays_more_than_what_was_measured(
			bought in energy(), sold in energy(), consumed in energy(), exported in energy(),
			p in price(), tariff in price(), imb in imbalance(),
		) {
			let line = Statement::line((bought, sold), (consumed, exported), p, tariff, imb).unwrap();
			let delivered = exported.min(sold);
			let used = consumed.min(bought);
			let surplus = exported.saturating_sub(sold);
			let measured = worth(p, delivered) - worth(p, used) + worth(imb.long, surplus);
			prop_assert!(line.net() * 1_000 <= measured);
			prop_assert!(line.bought_cost * 1_000 >= p.0 * u128::from(bought.0));
			prop_assert!(line.sold_revenue * 1_000 <= p.0 * u128::from(sold.0));
			prop_assert_eq!(line.long, bought.saturating_sub(consumed).saturating_add(surplus));
		}
	}

	#[test]
	fn bid_cheap_consume_nothing_earns_nothing() {
		// The attack of issue 21: long price 100 above a clearing price of 50.
		let imb = ImbalancePrices { short: PricePerKWh(400), long: PricePerKWh(100) };
		let line = Statement::line(
			(Energy(10_000), Energy::ZERO),
			(Energy::ZERO, Energy::ZERO),
			PricePerKWh(50),
			PricePerKWh(300),
			imb,
		)
		.unwrap();
		assert_eq!((line.bought_cost, line.long_credit, line.net()), (500, 500, 0));
	}

	fn weather() -> impl Strategy<Value = Weather> {
		(0u32..=1_500, 0u32..=120_000, -100_000i32..=70_000).prop_map(|(i, w, t)| Weather {
			irradiance: Irradiance(i),
			wind_speed: WindSpeed(w),
			temperature: Temperature(t),
		})
	}

	proptest! {
		/// Oracles that lie, fewer than half of them, cannot move the median out of the range
		/// of the honest oracles' values.
		#[test]
		fn liars_in_the_minority_stay_within_the_honest_range(
			honest in proptest::collection::vec(weather(), 1..6),
			liars in proptest::collection::vec(weather(), 0..6),
		) {
			let liars = &liars[..liars.len().min(honest.len().saturating_sub(1))];
			let all: alloc::vec::Vec<_> = honest.iter().chain(liars).copied().collect();
			let m = Weather::median(&all).unwrap();
			let within = |v: i64, f: fn(&Weather) -> i64| {
				honest.iter().map(f).min().unwrap() <= v && v <= honest.iter().map(f).max().unwrap()
			};
			prop_assert!(within(m.irradiance.0.into(), |w| w.irradiance.0.into()));
			prop_assert!(within(m.wind_speed.0.into(), |w| w.wind_speed.0.into()));
			prop_assert!(within(m.temperature.0.into(), |w| w.temperature.0.into()));
		}
	}

	#[test]
	fn median_of_forecasts() {
		let w = |i, v, t| Weather {
			irradiance: Irradiance(i),
			wind_speed: WindSpeed(v),
			temperature: Temperature::from_celsius(t),
		};
		assert_eq!(Weather::median(&[]), None);
		assert_eq!(Weather::median(&[w(500, 4, 10)]), Some(w(500, 4, 10)));
		// Each value on its own; the mean of the middle two when even.
		assert_eq!(
			Weather::median(&[w(0, 9, -5), w(900, 1, 20), w(400, 5, 3)]),
			Some(w(400, 5, 3))
		);
		assert_eq!(Weather::median(&[w(100, 2, -10), w(300, 6, 10)]), Some(w(200, 4, 0)));
	}

	#[test]
	fn climate_by_season() {
		let range = |max_t| WeatherRange {
			max_irradiance: Irradiance(1_000),
			max_wind_speed: WindSpeed(40_000),
			min_temperature: Temperature::from_celsius(-20),
			max_temperature: Temperature::from_celsius(max_t),
		};
		let change = WeatherChange {
			irradiance: Irradiance(300),
			wind_speed: WindSpeed(5_000),
			temperature: 5_000,
		};
		let climate =
			Climate { seasons: [range(15), range(25), range(38), range(25)], max_change: change };
		assert!(climate.is_valid());
		let hot = Weather { temperature: Temperature::from_celsius(30), ..Default::default() };
		assert_eq!((Climate::season(12), Climate::season(1), Climate::season(6)), (0, 0, 2));
		assert!(!climate.allows(1, &hot) && climate.allows(7, &hot));
		let warmer = Weather { temperature: Temperature::from_celsius(36), ..hot };
		assert!(!change.allows(&hot, &warmer));
		assert!(change.allows(&hot, &Weather { temperature: Temperature::from_celsius(35), ..hot }));
		let mut upside_down = climate;
		upside_down.seasons[2].min_temperature = Temperature::from_celsius(40);
		assert!(!upside_down.is_valid());
	}
}
