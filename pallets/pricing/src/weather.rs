//! The market's weather rules, pure and integer-only: which forecasts are plausible, what
//! several oracles agree on, what a zone's climate allows, and what price the weather
//! indicates. The types they read ([`Weather`], [`Climate`], [`WeatherModel`]) are the
//! pallets' shared vocabulary in `daeg_primitives::pricing`; the rules are this pallet's.

use daeg_primitives::{
	pricing::{
		Climate, Weather, WeatherChange, WeatherModel, WeatherRange, FULL_SUN, MAX_IRRADIANCE,
		MAX_TEMPERATURE, MAX_WIND_SPEED, MIN_TEMPERATURE,
	},
	Irradiance, PricePerKWh, Temperature, WindSpeed,
};
use sp_runtime::Perbill;

/// Whether every value of `weather` is one the Earth's weather can take (a guard against unit
/// mistakes, such as wind in m/s where mm/s is meant).
pub fn is_plausible(weather: &Weather) -> bool {
	weather.irradiance <= MAX_IRRADIANCE
		&& weather.wind_speed <= MAX_WIND_SPEED
		&& (MIN_TEMPERATURE..=MAX_TEMPERATURE).contains(&weather.temperature)
}

/// The forecast several oracles agree on: the median of each value taken on its own (the mean
/// of the middle two when their number is even). One oracle, or fewer than half of them,
/// cannot move it beyond the range of the others' values. `None` without forecasts.
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

/// Whether `weather` lies within `range`.
fn within(range: &WeatherRange, weather: &Weather) -> bool {
	weather.irradiance <= range.max_irradiance
		&& weather.wind_speed <= range.max_wind_speed
		&& (range.min_temperature..=range.max_temperature).contains(&weather.temperature)
}

/// Whether `next` lies within `change` of `previous`: forecasts sharpen as the interval
/// nears, they do not leap.
pub fn is_revision(change: &WeatherChange, previous: &Weather, next: &Weather) -> bool {
	previous.irradiance.0.abs_diff(next.irradiance.0) <= change.irradiance.0
		&& previous.wind_speed.0.abs_diff(next.wind_speed.0) <= change.wind_speed.0
		&& previous.temperature.0.abs_diff(next.temperature.0) <= change.temperature
}

/// The season of a calendar month (1 to 12): 0 for December to February, then by quarter.
pub const fn season(month: u8) -> usize {
	(month % 12 / 3) as usize
}

/// Whether `weather` is plausible in `climate` in calendar `month` (1 to 12).
pub fn in_season(climate: &Climate, month: u8, weather: &Weather) -> bool {
	climate.seasons.get(season(month)).is_some_and(|range| within(range, weather))
}

/// Whether every season's range of `climate` lies within the Earth's ([`is_plausible`]), with
/// its coldest temperature no warmer than its hottest.
pub fn is_valid_climate(climate: &Climate) -> bool {
	climate.seasons.iter().all(|r| {
		r.max_irradiance <= MAX_IRRADIANCE
			&& r.max_wind_speed <= MAX_WIND_SPEED
			&& MIN_TEMPERATURE <= r.min_temperature
			&& r.min_temperature <= r.max_temperature
			&& r.max_temperature <= MAX_TEMPERATURE
	})
}

/// Whether `model`'s wind speeds rise (`cut_in < rated < cut_out`) and heating starts no
/// higher than cooling.
pub fn is_valid_model(model: &WeatherModel) -> bool {
	model.cut_in < model.rated
		&& model.rated < model.cut_out
		&& model.heating_below <= model.cooling_above
}

/// PV's output at `weather`, as a share of its rated power.
pub fn solar_output(weather: &Weather) -> Perbill {
	let sun = weather.irradiance.min(FULL_SUN);
	Perbill::from_rational(sun.0, FULL_SUN.0)
}

/// Wind turbines' output at `weather` under `model`, as a share of their rated power: zero
/// below the cut-in speed, rising with the cube of the speed to one at the rated speed, one up
/// to the cut-out speed, where turbines stop for the storm.
pub fn wind_output(model: &WeatherModel, weather: &Weather) -> Perbill {
	let v = weather.wind_speed;
	if v < model.cut_in || v >= model.cut_out {
		return Perbill::zero();
	}
	if v >= model.rated {
		return Perbill::one();
	}
	let cube = |s: WindSpeed| u128::from(s.0).pow(3);
	let span = cube(model.rated).saturating_sub(cube(model.cut_in));
	Perbill::from_rational(cube(v).saturating_sub(cube(model.cut_in)), span)
}

/// The energy price `weather` indicates under `model`, from the `reference` price (see
/// [`WeatherModel`]). Never below zero.
pub fn price(model: &WeatherModel, reference: PricePerKWh, weather: &Weather) -> PricePerKWh {
	// Rates are per degree; temperatures in thousandths of one.
	let per_degree = |rate: PricePerKWh, millis: u32| {
		PricePerKWh(rate.0.saturating_mul(u128::from(millis)) / 1_000)
	};
	let t = weather.temperature;
	let raised = reference
		.saturating_add(per_degree(model.heating, t.below(model.heating_below)))
		.saturating_add(per_degree(model.cooling, model.cooling_above.below(t)));
	let drop = PricePerKWh(solar_output(weather).mul_floor(model.solar.0))
		.saturating_add(PricePerKWh(wind_output(model, weather).mul_floor(model.wind.0)));
	raised.saturating_sub(drop)
}

/// A model for tests and benchmarks, in units of the smallest price: full sun drops the price
/// by 100, rated wind (12 m/s; from 3 m/s, stopping at 25 m/s) by 80; each degree below 15 °C
/// raises it by 5, each above 25 °C by 4.
#[cfg(any(test, feature = "runtime-benchmarks"))]
pub fn example_model() -> WeatherModel {
	WeatherModel {
		solar: PricePerKWh(100),
		wind: PricePerKWh(80),
		cut_in: WindSpeed(3_000),
		rated: WindSpeed(12_000),
		cut_out: WindSpeed(25_000),
		heating_below: Temperature::from_celsius(15),
		heating: PricePerKWh(5),
		cooling_above: Temperature::from_celsius(25),
		cooling: PricePerKWh(4),
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

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
			let m = median(&all).unwrap();
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
		assert_eq!(median(&[]), None);
		assert_eq!(median(&[w(500, 4, 10)]), Some(w(500, 4, 10)));
		// Each value on its own; the mean of the middle two when even.
		assert_eq!(median(&[w(0, 9, -5), w(900, 1, 20), w(400, 5, 3)]), Some(w(400, 5, 3)));
		assert_eq!(median(&[w(100, 2, -10), w(300, 6, 10)]), Some(w(200, 4, 0)));
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
		assert!(is_valid_climate(&climate));
		let hot = Weather { temperature: Temperature::from_celsius(30), ..Default::default() };
		assert_eq!((season(12), season(1), season(6)), (0, 0, 2));
		assert!(!in_season(&climate, 1, &hot) && in_season(&climate, 7, &hot));
		let warmer = Weather { temperature: Temperature::from_celsius(36), ..hot };
		assert!(!is_revision(&change, &hot, &warmer));
		let warm = Weather { temperature: Temperature::from_celsius(35), ..hot };
		assert!(is_revision(&change, &hot, &warm));
		let mut upside_down = climate;
		upside_down.seasons[2].min_temperature = Temperature::from_celsius(40);
		assert!(!is_valid_climate(&upside_down));
	}
}
