//! The year of real hourly profiles in `data/profiles.csv` (see `data/README.md`), compiled
//! into the binary so that the demo and the simulation need no files beside it.

/// Hours in the profiles' (non-leap) year.
pub const HOURS: usize = 8_760;
/// 1 January 2025 00:00 UTC, ms since the Unix epoch: hour 0 of the profiles.
pub const YEAR_START_MS: u64 = 1_735_689_600_000;

use daeg_primitives::HOUR_MS;

const CSV: &str = include_str!("../../../data/profiles.csv");

/// One hour of weather and normalised supply and load.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Hour {
	/// Global horizontal irradiance, W/m².
	pub ghi_w_m2: f64,
	/// Air temperature, °C.
	pub temp_c: f64,
	/// Wind speed at 10 m, m/s.
	pub wind_m_s: f64,
	/// AC output of 1 kWp of PV, W.
	pub pv_w_per_kwp: f64,
	/// A wind turbine's output as a share of its rating.
	pub wind_share: f64,
	/// Household load (BDEW H25), W per MWh a year.
	pub household_w_per_mwh: f64,
	/// Business load (BDEW G25), W per MWh a year.
	pub business_w_per_mwh: f64,
}

/// The profiles' 8,760 hours.
#[derive(Clone, Debug)]
pub struct Profiles {
	hours: Vec<Hour>,
}

impl Profiles {
	/// The profiles compiled into the binary.
	pub fn embedded() -> Result<Self, String> {
		Self::parse(CSV)
	}

	/// Parses `profiles.csv`: a header and 8,760 rows of integers.
	pub fn parse(csv: &str) -> Result<Self, String> {
		let mut hours = Vec::with_capacity(HOURS);
		for (n, line) in csv.lines().enumerate().skip(1) {
			let v: Vec<f64> = line
				.split(',')
				.map(|f| f.trim().parse::<f64>())
				.collect::<Result<_, _>>()
				.map_err(|e| format!("profiles.csv line {}: {e}", n + 1))?;
			let [_, ghi, temp_dc, wind_dm_s, pv, wind_pm, household_dw, business_dw] = v[..] else {
				return Err(format!("profiles.csv line {}: 8 columns expected", n + 1));
			};
			hours.push(Hour {
				ghi_w_m2: ghi,
				temp_c: temp_dc / 10.0,
				wind_m_s: wind_dm_s / 10.0,
				pv_w_per_kwp: pv,
				wind_share: wind_pm / 1_000.0,
				household_w_per_mwh: household_dw / 10.0,
				business_w_per_mwh: business_dw / 10.0,
			});
		}
		if hours.len() != HOURS {
			return Err(format!("profiles.csv: {} hours, {HOURS} expected", hours.len()));
		}
		Ok(Self { hours })
	}

	/// The profile hour that grid time `grid_ms` falls in: the same hour of the year, whatever
	/// the year (in UTC).
	pub fn hour_of(grid_ms: u64) -> usize {
		let hours =
			i128::from(grid_ms).saturating_sub(i128::from(YEAR_START_MS)) / i128::from(HOUR_MS);
		usize::try_from(hours.rem_euclid(HOURS as i128)).unwrap_or(0)
	}

	/// Hour `hour` of the year (wrapping).
	pub fn hour(&self, hour: usize) -> Hour {
		self.hours.get(hour % HOURS).copied().unwrap_or_default()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_embedded_year_parses_and_holds_its_annual_totals() {
		let p = Profiles::embedded().unwrap();
		let year = |f: fn(&Hour) -> f64| (0..HOURS).map(|h| f(&p.hour(h))).sum::<f64>();
		// kWh per kWp, capacity factor, kWh per MWh a year (data/README.md).
		assert!((year(|h| h.pv_w_per_kwp) / 1_000.0 - 1_608.0).abs() < 1.0);
		assert!((year(|h| h.wind_share) / HOURS as f64 - 0.149).abs() < 0.001);
		assert!((year(|h| h.household_w_per_mwh) / 1_000.0 - 995.0).abs() < 1.0);
		// No sun at midnight on 1 January; some at noon on 21 June (local standard time).
		assert_eq!(p.hour(0).pv_w_per_kwp, 0.0);
		assert!(p.hour(171 * 24 + 12).pv_w_per_kwp > 300.0);
	}

	#[test]
	fn grid_time_maps_to_the_hour_of_the_year() {
		assert_eq!(Profiles::hour_of(YEAR_START_MS), 0);
		assert_eq!(Profiles::hour_of(YEAR_START_MS + HOUR_MS - 1), 0);
		assert_eq!(Profiles::hour_of(YEAR_START_MS + 25 * HOUR_MS), 25);
		// A year later and a year earlier: the same hours again.
		assert_eq!(Profiles::hour_of(YEAR_START_MS + 365 * 24 * HOUR_MS + 5 * HOUR_MS), 5);
		assert_eq!(Profiles::hour_of(YEAR_START_MS - HOUR_MS), HOURS - 1);
		assert!(Profiles::parse("h\n1,2").is_err());
	}
}
