//! Benchmarks of the pricing pallet (frame-benchmarking v2). `weights.rs` is generated from
//! them by `scripts/benchmark.sh pricing`.

use super::*;
use crate::Pallet as Pricing;
use alloc::vec::Vec;
use daeg_primitives::{
	consumption::{IntervalRecord, Quality},
	grid::ZoneLink,
	pricing::{
		Climate, ImbalancePrices, OrderId, Quarantined, TariffParameters, Weather, WeatherChange,
		WeatherRange, ZoneClearing,
	},
	production::FacilityRegistry,
	Grid, GridClock, IntervalIndex, Irradiance, Power, Temperature, WindSpeed,
};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate, MutateHold},
		EnsureOrigin, Get,
	},
	BoundedVec,
};
use frame_system::RawOrigin;
use sp_runtime::{traits::Saturating, SaturatedConversion};

/// Grid time in benchmarks: about 2027, at an interval's start.
const NOW_MS: u64 = 1_800_000_000_000;
/// Zones benchmarks use: the runtime must know 0 to 3.
const ZONES: u16 = 4;

/// An account with plenty to hold.
fn funded<T: Config>(name: &'static str, i: u32) -> T::AccountId {
	let who: T::AccountId = account(name, i, 0);
	let plenty = T::Currency::minimum_balance().saturating_mul(1_000_000_000u32.into());
	T::Currency::set_balance(&who, plenty);
	who
}

/// The weather benchmarks forecast.
fn weather() -> Weather {
	Weather {
		irradiance: Irradiance(600),
		wind_speed: WindSpeed(8_000),
		temperature: Temperature::from_celsius(12),
	}
}

/// A climate every season of which allows [`weather`] and its revisions.
fn climate() -> Climate {
	let range = WeatherRange {
		max_irradiance: Irradiance(1_200),
		max_wind_speed: WindSpeed(40_000),
		min_temperature: Temperature::from_celsius(-30),
		max_temperature: Temperature::from_celsius(40),
	};
	let max_change = WeatherChange {
		irradiance: Irradiance(500),
		wind_speed: WindSpeed(10_000),
		temperature: 5_000,
	};
	Climate { seasons: [range; 4], max_change }
}

/// The most weather oracles, appointed.
fn appoint_oracles<T: Config>() -> Vec<T::AccountId> {
	let oracles: Vec<T::AccountId> =
		(0..T::MaxWeatherOracles::get()).map(|i| account("oracle", i, 0)).collect();
	WeatherOracles::<T>::put(BoundedVec::truncate_from(oracles.clone()));
	oracles
}

/// Every one of `oracles` forecasts [`weather`] for `zone`'s `n` intervals from `from`.
fn forecast_by<T: Config>(oracles: &[T::AccountId], zone: ZoneId, from: IntervalIndex, n: u32) {
	let each: Vec<_> = oracles.iter().map(|o| (o.clone(), weather())).collect();
	for k in (from.0..from.0.saturating_add(n)).map(IntervalIndex) {
		Forecasts::<T>::insert(k, zone, BoundedVec::truncate_from(each.clone()));
	}
}

/// The first interval open for orders, with grid time set.
fn open_interval<T: Config>() -> IntervalIndex {
	T::Grid::set_now_ms(NOW_MS);
	let current = T::Grid::current_interval();
	IntervalIndex(current.0.saturating_add(T::GateClosureIntervals::get()).saturating_add(1))
}

/// Links joining the benchmark zones in a ring, as many as allowed.
fn ring<T: Config>() -> BoundedVec<ZoneLink, <T::Grid as Grid>::MaxLinks> {
	let links = (0..ZONES)
		.map(|z| ZoneLink {
			a: ZoneId(z),
			b: ZoneId((z + 1) % ZONES),
			a_to_b: Power(20_000),
			b_to_a: Power(20_000),
		})
		.take(<T::Grid as Grid>::MaxLinks::get() as usize)
		.collect::<Vec<_>>();
	BoundedVec::truncate_from(links)
}

/// A book of `n` orders for `interval`: alternating bids and asks over the zones at spread
/// prices, so that clearing trades across every link.
fn fill_book<T: Config>(interval: IntervalIndex, n: u32) -> Result<(), BenchmarkError> {
	let buyer = funded::<T>("buyer", 0);
	let seller = funded::<T>("seller", 0);
	let meters: Vec<MeterId> = (0..ZONES).map(|z| T::Helper::meter(&buyer, ZoneId(z))).collect();
	let facilities: Vec<(FacilityId, EnergySource, MeterId)> = (0..ZONES)
		.map(|z| {
			let id = T::Helper::selling_facility(&seller, ZoneId(z));
			let f = T::Facilities::facility(id).ok_or(BenchmarkError::Weightless)?;
			Ok((id, f.source, f.meter))
		})
		.collect::<Result<_, BenchmarkError>>()?;
	let mut page: Vec<OrderOf<T>> = Vec::new();
	for k in 0..n {
		let zone = (k / 2) % u32::from(ZONES);
		let price = PricePerKWh(u128::from(100 + (k * 7919) % 1_000));
		let (owner, origin, meter, energy) = if k % 2 == 0 {
			let m = meters[zone as usize];
			(buyer.clone(), Origin::Meter(m), m, 1_000 + u64::from(k % 97))
		} else {
			let (f, source, m) = facilities[zone as usize];
			(seller.clone(), Origin::Facility(f, source), m, 1_000 + u64::from(k % 89))
		};
		page.push(Order {
			owner,
			origin,
			meter,
			zone: ZoneId(zone as u16),
			energy: Energy(energy),
			price,
			held: Default::default(),
			filled: Energy::ZERO,
		});
		let (p, _) = Pricing::<T>::page_of(k);
		if page.len() as u32 == PAGE_SIZE || k.saturating_add(1) == n {
			Book::<T>::insert(interval, p, BoundedVec::truncate_from(core::mem::take(&mut page)));
		}
	}
	BookLen::<T>::insert(interval, n);
	Ok(())
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn place_bid() -> Result<(), BenchmarkError> {
		let interval = open_interval::<T>();
		let who = funded::<T>("buyer", 1);
		let meter = T::Helper::meter(&who, ZoneId(0));

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), meter, interval, Energy(5_000), PricePerKWh(300));

		assert_eq!(BookLen::<T>::get(interval), 1);
		Ok(())
	}

	#[benchmark]
	fn place_ask() -> Result<(), BenchmarkError> {
		let interval = open_interval::<T>();
		let who = funded::<T>("seller", 1);
		let facility = T::Helper::selling_facility(&who, ZoneId(0));

		#[extrinsic_call]
		_(RawOrigin::Signed(who), facility, interval, Energy(5_000), PricePerKWh(300));

		assert_eq!(BookLen::<T>::get(interval), 1);
		Ok(())
	}

	#[benchmark]
	fn cancel_order() -> Result<(), BenchmarkError> {
		let interval = open_interval::<T>();
		let who = funded::<T>("buyer", 1);
		let meter = T::Helper::meter(&who, ZoneId(0));
		Pricing::<T>::place_bid(
			RawOrigin::Signed(who.clone()).into(),
			meter,
			interval,
			Energy(5_000),
			PricePerKWh(300),
		)?;
		let id = OrderId { interval, slot: 0 };

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), id);

		assert_eq!(OrdersOf::<T>::get(&who, interval), 0);
		Ok(())
	}

	#[benchmark]
	fn set_price_limits() -> Result<(), BenchmarkError> {
		let origin =
			T::OperatorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let limits = PriceLimits { floor: PricePerKWh(1), cap: PricePerKWh(1_000_000) };

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, limits);

		assert_eq!(Limits::<T>::get(), limits);
		Ok(())
	}

	/// `n`: orders in the book, over four zones in a ring of links.
	#[benchmark]
	fn clear_interval(
		n: Linear<1, { T::MaxOrdersPerInterval::get() }>,
	) -> Result<(), BenchmarkError> {
		let interval = open_interval::<T>();
		T::Grid::set_links(ring::<T>());
		fill_book::<T>(interval, n)?;
		// Every zone's forecast from every oracle: the tariff takes their median.
		let oracles = appoint_oracles::<T>();
		for zone in 0..ZONES {
			forecast_by::<T>(&oracles, ZoneId(zone), interval, 1);
		}

		#[block]
		{
			Pricing::<T>::clear_interval(interval);
		}

		assert!(Clearings::<T>::iter_prefix(interval).next().is_some());
		Ok(())
	}

	#[benchmark]
	fn set_tariff() -> Result<(), BenchmarkError> {
		let origin =
			T::OperatorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let tariff = TariffParameters {
			reference: PricePerKWh(200),
			grid_fees: [PricePerKWh(50); 24],
			congestion: PricePerKWh(30),
			scarcity: PricePerKWh(500),
		};

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, tariff);

		assert_eq!(Tariff::<T>::get(), tariff);
		Ok(())
	}

	#[benchmark]
	fn set_imbalance_prices() -> Result<(), BenchmarkError> {
		let origin =
			T::OperatorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let prices = ImbalancePrices { short: PricePerKWh(400), long: PricePerKWh(100) };

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, prices);

		assert_eq!(Imbalance::<T>::get(), prices);
		Ok(())
	}

	#[benchmark]
	fn fund_pot() -> Result<(), BenchmarkError> {
		let who = funded::<T>("funder", 0);
		let amount = T::Currency::minimum_balance().saturating_mul(1_000u32.into());
		let before = Pot::<T>::get().funded;

		#[extrinsic_call]
		_(RawOrigin::Signed(who), amount);

		assert_eq!(Pot::<T>::get().funded, before.saturating_add(amount));
		Ok(())
	}

	/// The pot pays what it owes (the heavier way: a transfer out of a hold).
	#[benchmark]
	fn settle_account() -> Result<(), BenchmarkError> {
		let who = funded::<T>("seller", 0);
		let amount = T::Currency::minimum_balance().saturating_mul(10u32.into());
		let funder = funded::<T>("funder", 0);
		Pricing::<T>::fund_pot(RawOrigin::Signed(funder).into(), amount)?;
		Owed::<T>::insert(&who, amount);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert!(!Owed::<T>::contains_key(&who));
		Ok(())
	}

	/// `n`: orders of the meter in the interval, each on a page of its own (a full page read
	/// for each), all bids that bought; consumption beyond them pays the tariff; the bidder
	/// has arrears; the interval sold energy from every source. `n = 0`: a meter without
	/// orders, whose consumption pays the tariff.
	#[benchmark]
	fn settle_meter(n: Linear<0, { T::MaxOrdersPerAccount::get() }>) -> Result<(), BenchmarkError> {
		let interval = open_interval::<T>();
		let buyer = funded::<T>("buyer", 0);
		let other = funded::<T>("buyer", 1);
		let meter = T::Helper::meter(&buyer, ZoneId(0));
		let held = T::Currency::minimum_balance();
		let filler = Order {
			owner: other,
			origin: Origin::Meter(meter),
			meter,
			zone: ZoneId(0),
			energy: Energy(1_000),
			price: PricePerKWh(300),
			held: Default::default(),
			filled: Energy(1_000),
		};
		let mut slots = Vec::new();
		for page in 0..n {
			let mut orders = alloc::vec![filler.clone(); PAGE_SIZE as usize];
			if let Some(first) = orders.first_mut() {
				first.owner = buyer.clone();
				first.held = held;
			}
			Book::<T>::insert(interval, page, BoundedVec::truncate_from(orders));
			slots.push(page.saturating_mul(PAGE_SIZE));
		}
		if n > 0 {
			BookLen::<T>::insert(interval, n.saturating_mul(PAGE_SIZE));
			Positions::<T>::insert(
				interval,
				meter,
				Position {
					owner: buyer.clone(),
					slots: BoundedVec::truncate_from(slots),
					offered: Energy::ZERO,
					held: held.saturating_mul(n.into()),
				},
			);
			Unsettled::<T>::insert(interval, 1);
			MeterPositions::<T>::insert(meter, 1);
			OrdersOf::<T>::insert(&buyer, interval, n);
			T::Currency::hold(&HoldReason::Order.into(), &buyer, held.saturating_mul(n.into()))?;
		}
		Clearings::<T>::insert(
			interval,
			ZoneId(0),
			ZoneClearing {
				price: Some(PricePerKWh(250)),
				tariff: PricePerKWh(320),
				..Default::default()
			},
		);
		Mix::<T>::insert(interval, [Energy(1_000); 7]);
		Arrears::<T>::insert(&buyer, T::Currency::minimum_balance());
		NextToClear::<T>::put(IntervalIndex(interval.0.saturating_add(1)));
		// Grid time: the interval is over and final, well before the deadline.
		let length = T::Grid::interval_length_ms();
		T::Grid::set_now_ms(interval.end_ms(length).unwrap_or(NOW_MS).saturating_add(length));
		let record = IntervalRecord {
			interval,
			imported: Energy(u64::from(n).saturating_add(1).saturating_mul(2_000)),
			exported: Energy::ZERO,
			quality: Quality::Measured,
			anomaly: None,
		};

		#[block]
		{
			Pricing::<T>::settle_final(meter, &record);
		}

		assert!(!Positions::<T>::contains_key(interval, meter));
		assert!(Statements::<T>::iter_prefix(&buyer).next().is_some());
		Ok(())
	}

	/// The heavier release: a corrected value that pays the bidder (unused purchase taken back)
	/// and its hold released, the bidder with arrears and the interval sold from every source.
	#[benchmark]
	fn release_quarantined() -> Result<(), BenchmarkError> {
		let origin =
			T::ReleaseOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let interval = open_interval::<T>();
		let buyer = funded::<T>("buyer", 0);
		let meter = T::Helper::meter(&buyer, ZoneId(0));
		let held = T::Currency::minimum_balance().saturating_mul(100u32.into());
		T::Currency::hold(&HoldReason::Order.into(), &buyer, held)?;
		Arrears::<T>::insert(&buyer, T::Currency::minimum_balance());
		Mix::<T>::insert(interval, [Energy(1_000); 7]);
		let record = IntervalRecord {
			interval,
			imported: Energy(1_000),
			exported: Energy(500),
			quality: Quality::Measured,
			anomaly: Some(daeg_primitives::consumption::Anomaly::Jump),
		};
		Quarantine::<T>::insert(
			interval,
			meter,
			Quarantined {
				owner: buyer.clone(),
				zone: ZoneId(0),
				record,
				bought: Energy(2_000),
				sold: Energy::ZERO,
				price: PricePerKWh(250),
				tariff: PricePerKWh(320),
				held: held.saturated_into(),
			},
		);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, interval, meter, Some((Energy(1_500), Energy(500))));

		assert!(!Quarantine::<T>::contains_key(interval, meter));
		assert!(Statements::<T>::iter_prefix(&buyer).next().is_some());
		Ok(())
	}

	#[benchmark]
	fn set_weather_oracles() -> Result<(), BenchmarkError> {
		let origin =
			T::OperatorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let oracles: Vec<T::AccountId> =
			(0..T::MaxWeatherOracles::get()).map(|i| account("oracle", i, 0)).collect();
		let oracles = BoundedVec::truncate_from(oracles);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, oracles.clone());

		assert_eq!(WeatherOracles::<T>::get(), oracles);
		Ok(())
	}

	#[benchmark]
	fn set_climate() -> Result<(), BenchmarkError> {
		let origin =
			T::OperatorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, ZoneId(0), Some(climate()));

		assert_eq!(Climates::<T>::get(ZoneId(0)), Some(climate()));
		Ok(())
	}

	#[benchmark]
	fn set_weather_model() -> Result<(), BenchmarkError> {
		let origin =
			T::OperatorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let model = crate::weather::example_model();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, ZoneId(0), Some(model));

		assert_eq!(WeatherModels::<T>::get(ZoneId(0)), Some(model));
		Ok(())
	}

	/// A revision of the forecast of `n` intervals from the first open one, checked against
	/// the zone's climate, by the last of the most oracles, each of whom forecast them before.
	#[benchmark]
	fn submit_forecast(
		n: Linear<1, { T::MaxIntervalsAhead::get() }>,
	) -> Result<(), BenchmarkError> {
		let oracles = appoint_oracles::<T>();
		let from = open_interval::<T>();
		Climates::<T>::insert(ZoneId(0), climate());
		forecast_by::<T>(&oracles, ZoneId(0), from, n);
		let oracle = oracles.last().cloned().ok_or(BenchmarkError::Weightless)?;
		let revised = Weather { temperature: Temperature::from_celsius(14), ..weather() };
		let forecast = BoundedVec::truncate_from(alloc::vec![revised; n as usize]);

		#[extrinsic_call]
		_(RawOrigin::Signed(oracle.clone()), ZoneId(0), from, forecast);

		let last = from.checked_add(n - 1).ok_or(BenchmarkError::Weightless)?;
		assert!(Forecasts::<T>::get(last, ZoneId(0)).contains(&(oracle, revised)));
		Ok(())
	}

	impl_benchmark_test_suite!(
		Pricing,
		crate::mock::ext(crate::mock::INTERVAL_MS),
		crate::mock::Test
	);
}
