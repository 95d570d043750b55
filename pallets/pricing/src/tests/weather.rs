//! The weather oracle, weather models, and the prices forecasts indicate: published ahead
//! (`forecast`) and used where the auction sets no price.

use super::orders::{at, bid, block_at, NOW, OPEN};
use crate::{
	mock::*, Book, Clearings, Climates, Error, Event, Forecasts, NextToSettle, PriceLimits,
	WeatherModels, WeatherOracles, MAX_PRICE,
};
use daeg_primitives::{
	consumption::Quality,
	pricing::{
		Climate, ForecastPrice, TariffParameters, Weather, WeatherChange, WeatherModel,
		WeatherRange,
	},
	IntervalIndex, Irradiance, PricePerKWh, Temperature, WindSpeed, ZoneId,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::Inspect, ConstU32, Hooks},
	weights::Weight,
	BoundedVec,
};
use sp_runtime::traits::BadOrigin;

/// The tariff's reference price and grid fee.
const REFERENCE: u128 = 250;
const FEE: u128 = 20;
const ZONE: ZoneId = ZoneId(2);

use crate::weather::example_model as model;

fn weather(irradiance: u32, wind_mm_s: u32, celsius: i32) -> Weather {
	Weather {
		irradiance: Irradiance(irradiance),
		wind_speed: WindSpeed(wind_mm_s),
		temperature: Temperature::from_celsius(celsius),
	}
}

fn forecast(values: Vec<Weather>) -> BoundedVec<Weather, ConstU32<8>> {
	BoundedVec::truncate_from(values)
}

fn oracles(accounts: Vec<u64>) -> BoundedVec<u64, ConstU32<3>> {
	BoundedVec::truncate_from(accounts)
}

/// A climate whose winter (grid time `NOW` lies in January 1970) reaches 600 W/m², 20 m/s and
/// −10 to 15 °C; the other seasons are wider. A forecast moves at most 200 W/m², 5 m/s, 5 °C.
fn climate() -> Climate {
	let range = |irradiance, max_c| WeatherRange {
		max_irradiance: Irradiance(irradiance),
		max_wind_speed: WindSpeed(20_000),
		min_temperature: Temperature::from_celsius(-10),
		max_temperature: Temperature::from_celsius(max_c),
	};
	Climate {
		seasons: [range(600, 15), range(1_000, 30), range(1_100, 40), range(900, 30)],
		max_change: WeatherChange {
			irradiance: Irradiance(200),
			wind_speed: WindSpeed(5_000),
			temperature: 5_000,
		},
	}
}

/// Grid time `NOW`, the tariff set, Alice the oracle and [`model`] for [`ZONE`].
fn setup() {
	at(NOW);
	assert_ok!(Pricing::set_tariff(
		RuntimeOrigin::root(),
		TariffParameters {
			reference: PricePerKWh(REFERENCE),
			grid_fees: [PricePerKWh(FEE); 24],
			..Default::default()
		}
	));
	assert_ok!(Pricing::set_weather_oracles(RuntimeOrigin::root(), oracles(vec![ALICE])));
	assert_ok!(Pricing::set_weather_model(RuntimeOrigin::root(), ZONE, Some(model())));
}

#[test]
fn the_weather_model_prices_sun_wind_and_degrees() {
	let m = model();
	// Mild and still: the reference.
	assert_eq!(
		crate::weather::price(&m, PricePerKWh(REFERENCE), &weather(0, 0, 20)),
		PricePerKWh(250)
	);
	// 800 W/m²: PV at 80 %, 80 off.
	assert_eq!(
		crate::weather::price(&m, PricePerKWh(REFERENCE), &weather(800, 0, 20)),
		PricePerKWh(170)
	);
	// Above full sun PV gives no more.
	assert_eq!(
		crate::weather::price(&m, PricePerKWh(REFERENCE), &weather(1_200, 0, 20)),
		PricePerKWh(150)
	);
	// Rated wind on a −5 °C night: 80 off, 20 degrees × 5 on.
	assert_eq!(
		crate::weather::price(&m, PricePerKWh(REFERENCE), &weather(0, 12_000, -5)),
		PricePerKWh(270)
	);
	// Halfway from cut-in to rated speed in cubes: 7.5 m/s gives (7.5³ − 3³)/(12³ − 3³).
	let share = sp_runtime::Perbill::from_rational(421_875u128 - 27_000, 1_728_000 - 27_000);
	assert_eq!(crate::weather::wind_output(&m, &weather(0, 7_500, 20)), share);
	assert_eq!(
		crate::weather::price(&m, PricePerKWh(REFERENCE), &weather(0, 7_500, 20)),
		PricePerKWh(250 - share.mul_floor(80))
	);
	// Below cut-in and in a storm beyond cut-out turbines stand still; 35 °C: 10 × 4 on.
	assert_eq!(
		crate::weather::price(&m, PricePerKWh(REFERENCE), &weather(0, 2_999, 35)),
		PricePerKWh(290)
	);
	assert_eq!(
		crate::weather::price(&m, PricePerKWh(REFERENCE), &weather(0, 25_000, 35)),
		PricePerKWh(290)
	);
	// Half a degree below 15 °C: 2.5 → 2 (rounded down).
	let chilly = Weather { temperature: Temperature(14_500), ..weather(0, 0, 0) };
	assert_eq!(crate::weather::price(&m, PricePerKWh(REFERENCE), &chilly), PricePerKWh(252));
	// Never below zero.
	let cheap = WeatherModel { solar: PricePerKWh(1_000), ..m };
	assert_eq!(
		crate::weather::price(&cheap, PricePerKWh(REFERENCE), &weather(1_000, 0, 20)),
		PricePerKWh(0)
	);
}

#[test]
fn governance_appoints_the_oracle_and_sets_models() {
	run(|| {
		assert_noop!(
			Pricing::set_weather_oracles(RuntimeOrigin::signed(BOB), oracles(vec![BOB])),
			BadOrigin
		);
		assert_noop!(
			Pricing::set_weather_oracles(RuntimeOrigin::root(), oracles(vec![BOB, CAROL, BOB])),
			Error::<Test>::DuplicateOracle
		);
		assert_ok!(Pricing::set_weather_oracles(
			RuntimeOrigin::signed(OPERATOR),
			oracles(vec![BOB, CAROL])
		));
		assert_eq!(WeatherOracles::<Test>::get().into_inner(), vec![BOB, CAROL]);
		System::assert_last_event(
			Event::WeatherOraclesSet { oracles: oracles(vec![BOB, CAROL]) }.into(),
		);
		assert_ok!(Pricing::set_weather_oracles(RuntimeOrigin::root(), oracles(vec![])));
		assert!(WeatherOracles::<Test>::get().is_empty());

		let root = || RuntimeOrigin::root();
		assert_noop!(
			Pricing::set_weather_model(RuntimeOrigin::signed(BOB), ZONE, Some(model())),
			BadOrigin
		);
		assert_noop!(
			Pricing::set_weather_model(root(), ZoneId(8), Some(model())),
			Error::<Test>::UnknownZone
		);
		for bad in [
			WeatherModel { rated: WindSpeed(3_000), ..model() },
			WeatherModel { cut_out: WindSpeed(12_000), ..model() },
			WeatherModel { heating_below: Temperature::from_celsius(26), ..model() },
		] {
			assert_noop!(
				Pricing::set_weather_model(root(), ZONE, Some(bad)),
				Error::<Test>::BadWeatherModel
			);
		}
		let dear = WeatherModel { cooling: PricePerKWh(MAX_PRICE.0 + 1), ..model() };
		assert_noop!(
			Pricing::set_weather_model(root(), ZONE, Some(dear)),
			Error::<Test>::PriceTooHigh
		);
		assert_ok!(Pricing::set_weather_model(root(), ZONE, Some(model())));
		assert_eq!(WeatherModels::<Test>::get(ZONE), Some(model()));
		System::assert_last_event(
			Event::WeatherModelSet { zone: ZONE, model: Some(model()) }.into(),
		);
		assert_ok!(Pricing::set_weather_model(root(), ZONE, None));
		assert_eq!(WeatherModels::<Test>::get(ZONE), None);
		// A model that governance could not have set breaks the invariants.
		WeatherModels::<Test>::insert(ZONE, WeatherModel { rated: WindSpeed(0), ..model() });
		assert!(Pricing::do_try_state().is_err());
		WeatherModels::<Test>::remove(ZONE);
	});
}

#[test]
fn only_the_oracle_submits_plausible_forecasts_for_open_intervals() {
	run(|| {
		setup();
		let fine = || forecast(vec![weather(500, 5_000, 10); 2]);
		assert_noop!(
			Pricing::submit_forecast(RuntimeOrigin::signed(BOB), ZONE, OPEN, fine()),
			Error::<Test>::NotWeatherOracle
		);
		let alice = || RuntimeOrigin::signed(ALICE);
		assert_noop!(
			Pricing::submit_forecast(alice(), ZoneId(8), OPEN, fine()),
			Error::<Test>::UnknownZone
		);
		assert_noop!(
			Pricing::submit_forecast(alice(), ZONE, OPEN, forecast(vec![])),
			Error::<Test>::EmptyForecast
		);
		// The interval after the current one has closed its gate.
		assert_noop!(
			Pricing::submit_forecast(alice(), ZONE, IntervalIndex(OPEN.0 - 1), fine()),
			Error::<Test>::GateClosed
		);
		// Orders (and forecasts) reach 1 + 8 intervals ahead: up to 1,009.
		let eight = || forecast(vec![weather(0, 0, 0); 8]);
		assert_noop!(
			Pricing::submit_forecast(alice(), ZONE, IntervalIndex(OPEN.0 + 1), eight()),
			Error::<Test>::TooFarAhead
		);
		for implausible in [weather(1_501, 0, 0), weather(0, 120_001, 0), weather(0, 0, 71)] {
			assert_noop!(
				Pricing::submit_forecast(alice(), ZONE, OPEN, forecast(vec![implausible])),
				Error::<Test>::ImplausibleWeather
			);
		}
		assert_noop!(
			Pricing::submit_forecast(alice(), ZONE, OPEN, forecast(vec![weather(0, 0, -101)])),
			Error::<Test>::ImplausibleWeather
		);

		assert_ok!(Pricing::submit_forecast(alice(), ZONE, OPEN, eight()));
		System::assert_last_event(
			Event::ForecastSubmitted { oracle: ALICE, zone: ZONE, from: OPEN, intervals: 8 }.into(),
		);
		assert_eq!(Forecasts::<Test>::iter_prefix(IntervalIndex(OPEN.0 + 7)).count(), 1);
		// A later forecast replaces the earlier one.
		assert_ok!(Pricing::submit_forecast(alice(), ZONE, OPEN, fine()));
		assert_eq!(Forecasts::<Test>::get(OPEN, ZONE).len(), 1);
		assert_eq!(Pricing::agreed_weather(OPEN, ZONE), Some(weather(500, 5_000, 10)));
		let third = IntervalIndex(OPEN.0 + 2);
		assert_eq!(Pricing::agreed_weather(third, ZONE), Some(weather(0, 0, 0)));
	});
}

#[test]
fn forecasts_indicate_prices_and_tariffs_ahead() {
	run(|| {
		setup();
		let values = vec![weather(800, 0, 20), weather(0, 12_000, -5), weather(0, 30_000, 35)];
		assert_ok!(Pricing::submit_forecast(
			RuntimeOrigin::signed(ALICE),
			ZONE,
			OPEN,
			forecast(values.clone())
		));
		let ahead = Pricing::forecast(ZONE, OPEN, IntervalIndex(OPEN.0 + 3));
		let expected = |w: Option<Weather>, price: u128| ForecastPrice {
			weather: w,
			price: PricePerKWh(price),
			tariff: PricePerKWh(price + FEE),
		};
		assert_eq!(
			ahead.into_iter().map(|(_, f)| f).collect::<Vec<_>>(),
			vec![
				expected(Some(values[0]), 170),
				expected(Some(values[1]), 270),
				expected(Some(values[2]), 290),
				// No forecast: the reference.
				expected(None, REFERENCE),
			]
		);
		// A zone without a model: the weather does not move its price.
		assert_ok!(Pricing::set_weather_model(RuntimeOrigin::root(), ZONE, None));
		assert_eq!(Pricing::forecast(ZONE, OPEN, OPEN)[0].1.price, PricePerKWh(REFERENCE));
		assert_ok!(Pricing::set_weather_model(RuntimeOrigin::root(), ZONE, Some(model())));
		// The floor and cap bound both.
		assert_ok!(Pricing::set_price_limits(
			RuntimeOrigin::root(),
			PriceLimits { floor: PricePerKWh(180), cap: PricePerKWh(280) }
		));
		let bounded = Pricing::forecast(ZONE, OPEN, IntervalIndex(OPEN.0 + 1));
		assert_eq!(
			bounded.iter().map(|(_, f)| (f.price, f.tariff)).collect::<Vec<_>>(),
			vec![(PricePerKWh(180), PricePerKWh(190)), (PricePerKWh(270), PricePerKWh(280))]
		);
	});
}

#[test]
fn where_the_auction_sets_no_price_consumers_pay_the_weathers() {
	run(|| {
		setup();
		let sunny = IntervalIndex(OPEN.0 + 1);
		assert_ok!(Pricing::submit_forecast(
			RuntimeOrigin::signed(ALICE),
			ZONE,
			OPEN,
			forecast(vec![weather(0, 12_000, -5), weather(800, 0, 20)])
		));
		// A bid nobody sells to: the zone has a book but no price.
		let home = meter(BOB, ZONE.0);
		bid(BOB, home, 1_000, 100);
		block_at(NOW);
		block_at(NOW + INTERVAL_MS);
		let cleared = Clearings::<Test>::get(OPEN, ZONE).unwrap();
		assert_eq!((cleared.price, cleared.tariff), (None, PricePerKWh(270 + FEE)));
		// Both intervals settle at the weather's tariff: 1 kWh at 290, 2 kWh at 190.
		let issuance = Balances::total_issuance();
		let before = Balances::total_balance(&BOB);
		at((sunny.0 as u64 + 1) * INTERVAL_MS);
		finalize(home, OPEN, 1_000, 0, Quality::Measured);
		assert_eq!(Balances::total_balance(&BOB), before - 290);
		let carol = meter(CAROL, ZONE.0);
		let before = Balances::balance(&CAROL);
		finalize(carol, sunny, 2_000, 0, Quality::Measured);
		assert_eq!(Balances::balance(&CAROL), before - 2 * 190);
		assert_eq!(Balances::total_issuance(), issuance);
	});
}

#[test]
fn forecasts_are_kept_as_long_as_the_intervals_results() {
	run(|| {
		setup();
		assert_ok!(Pricing::submit_forecast(
			RuntimeOrigin::signed(ALICE),
			ZONE,
			OPEN,
			forecast(vec![weather(300, 0, 10)])
		));
		let bob = meter(BOB, ZONE.0);
		bid(BOB, bob, 1_000, 100);
		// A block each interval, until settlement reaches `until`.
		let mut k = 0;
		let mut settle_to = |until: u32| {
			while NextToSettle::<Test>::get().is_none_or(|n| n.0 <= until) {
				block_at(NOW + k * INTERVAL_MS);
				Pricing::on_idle(System::block_number(), Weight::MAX);
				k += 1;
				assert!(k < 200, "settlement goes on");
			}
		};
		// Settled, its book gone, the forecast stays with the results...
		settle_to(OPEN.0 + 50);
		assert!(Book::<Test>::iter_prefix(OPEN).next().is_none());
		assert!(Forecasts::<Test>::contains_key(OPEN, ZONE));
		assert!(Clearings::<Test>::get(OPEN, ZONE).is_some());
		// ... until the price history (96 intervals) passes it.
		settle_to(OPEN.0 + 96);
		assert!(!Forecasts::<Test>::contains_key(OPEN, ZONE));
		assert!(Clearings::<Test>::get(OPEN, ZONE).is_none());
	});
}

#[test]
fn genesis_appoints_the_oracle_and_checks_models() {
	use sp_runtime::BuildStorage;
	let genesis = |model: WeatherModel| RuntimeGenesisConfig {
		pricing: crate::GenesisConfig {
			weather_oracles: vec![CAROL],
			weather_models: vec![(ZONE, model)],
			climates: vec![(ZONE, climate())],
			..Default::default()
		},
		..Default::default()
	};
	sp_io::TestExternalities::new(genesis(model()).build_storage().unwrap()).execute_with(|| {
		assert_eq!(WeatherOracles::<Test>::get().into_inner(), vec![CAROL]);
		assert_eq!(WeatherModels::<Test>::get(ZONE), Some(model()));
		assert_eq!(Climates::<Test>::get(ZONE), Some(climate()));
	});
	let bad = WeatherModel { rated: WindSpeed(0), ..model() };
	assert!(std::panic::catch_unwind(|| genesis(bad).build_storage()).is_err());
}

#[test]
fn one_lying_oracle_of_three_moves_no_price() {
	run(|| {
		setup();
		assert_ok!(Pricing::set_weather_oracles(
			RuntimeOrigin::root(),
			oracles(vec![ALICE, BOB, CAROL])
		));
		let submit = |who, w: Weather| {
			Pricing::submit_forecast(RuntimeOrigin::signed(who), ZONE, OPEN, forecast(vec![w]))
		};
		let tariff = || Pricing::forecast(ZONE, OPEN, OPEN)[0].1.tariff;
		// Carol buys in this zone and would like its price low: full sun, 1,500 W/m².
		assert_ok!(submit(CAROL, weather(1_500, 0, 20)));
		// One of three is no majority: no forecast counts, the reference price holds.
		assert_eq!(Pricing::agreed_weather(OPEN, ZONE), None);
		assert_eq!(tariff(), PricePerKWh(REFERENCE + FEE));
		// The honest two agree on a dull, mild interval: the median is theirs.
		assert_ok!(submit(ALICE, weather(100, 0, 20)));
		assert_ok!(submit(BOB, weather(100, 0, 20)));
		assert_eq!(Pricing::agreed_weather(OPEN, ZONE), Some(weather(100, 0, 20)));
		assert_eq!(tariff(), PricePerKWh(REFERENCE - 10 + FEE));
		// Of two oracles one liar moves the median halfway: why a grid appoints three or more.
		assert_ok!(Pricing::set_weather_oracles(
			RuntimeOrigin::root(),
			oracles(vec![ALICE, CAROL])
		));
		assert_eq!(Pricing::agreed_weather(OPEN, ZONE), Some(weather(800, 0, 20)));
		// Dismissed, the liar's forecast no longer counts, and its slot is freed for others.
		assert_ok!(Pricing::set_weather_oracles(RuntimeOrigin::root(), oracles(vec![ALICE, BOB])));
		assert_eq!(Pricing::agreed_weather(OPEN, ZONE), Some(weather(100, 0, 20)));
		assert_noop!(submit(CAROL, weather(100, 0, 20)), Error::<Test>::NotWeatherOracle);
		assert_ok!(submit(BOB, weather(120, 0, 20)));
		assert_eq!(Forecasts::<Test>::get(OPEN, ZONE).len(), 2);
		assert_ok!(Pricing::do_try_state());
	});
}

#[test]
fn forecasts_stay_within_the_zones_climate() {
	run(|| {
		setup();
		let root = || RuntimeOrigin::root();
		assert_noop!(
			Pricing::set_climate(RuntimeOrigin::signed(BOB), ZONE, Some(climate())),
			BadOrigin
		);
		assert_noop!(
			Pricing::set_climate(root(), ZoneId(8), Some(climate())),
			Error::<Test>::UnknownZone
		);
		let mut upside_down = climate();
		upside_down.seasons[1].min_temperature = Temperature::from_celsius(31);
		let mut beyond_the_earth = climate();
		beyond_the_earth.seasons[2].max_irradiance = Irradiance(1_501);
		for bad in [upside_down, beyond_the_earth] {
			assert_noop!(Pricing::set_climate(root(), ZONE, Some(bad)), Error::<Test>::BadClimate);
		}
		assert_ok!(Pricing::set_climate(root(), ZONE, Some(climate())));
		System::assert_last_event(
			Event::ClimateSet { zone: ZONE, climate: Some(climate()) }.into(),
		);

		let submit = |values| {
			Pricing::submit_forecast(RuntimeOrigin::signed(ALICE), ZONE, OPEN, forecast(values))
		};
		// January: summer's sun and heat are out of season, even in the second interval.
		for summer in [weather(900, 0, 0), weather(0, 0, 25), weather(0, 25_000, 0)] {
			assert_noop!(submit(vec![weather(0, 0, 0), summer]), Error::<Test>::OutOfSeason);
		}
		assert_ok!(submit(vec![weather(300, 4_000, 2), weather(300, 4_000, 2)]));
		// A revision moves at most the climate's change from the oracle's last forecast.
		for leap in [weather(501, 4_000, 2), weather(300, 9_001, 2), weather(300, 4_000, -4)] {
			assert_noop!(submit(vec![weather(300, 4_000, 2), leap]), Error::<Test>::ForecastLeap);
		}
		assert_ok!(submit(vec![weather(500, 9_000, -3)]));
		assert_eq!(Pricing::agreed_weather(OPEN, ZONE), Some(weather(500, 9_000, -3)));
		// Without a climate, only the Earth's bounds apply.
		assert_ok!(Pricing::set_climate(root(), ZONE, None));
		assert_ok!(submit(vec![weather(1_200, 30_000, 35)]));
		assert_eq!(Climates::<Test>::get(ZONE), None);
	});
}
