//! The analytics rules, pure and integer-only: a period's report from a meter's final totals
//! (peak power, load factor), and a meter's typical day learnt from its measured intervals.
//! The figures are the pallets' shared views in `daeg_primitives::consumption`.

use alloc::vec::Vec;
use daeg_primitives::{
	consumption::{DailyProfile, EnergyReport, EnergyTotals, HourlyEnergy, ProfileHour},
	Energy, HOUR_MS,
};
use sp_runtime::Permill;

/// The number of measured intervals a profile hour averages over before it turns into a moving
/// average: about four days of quarter-hours.
pub const PROFILE_WINDOW: u16 = 16;

/// The report of `totals` for intervals `interval_ms` long: peaks as average power over their
/// interval, and the load factor, average over peak import.
pub fn report(totals: &EnergyTotals, interval_ms: u64) -> EnergyReport {
	let peak = |e: Energy| e.average_power_over(interval_ms).unwrap_or_default();
	// Load factor: average over peak = energy / (peak interval energy × intervals).
	let ceiling = u128::from(totals.peak_import.0).saturating_mul(totals.intervals.into());
	let load_factor = if ceiling == 0 {
		Permill::zero()
	} else {
		Permill::from_rational(u128::from(totals.imported.0).min(ceiling), ceiling)
	};
	EnergyReport {
		imported: totals.imported,
		exported: totals.exported,
		peak_import_power: peak(totals.peak_import),
		peak_export_power: peak(totals.peak_export),
		load_factor,
		intervals: totals.intervals,
		estimated: totals.estimated,
	}
}

/// `hour` learns one more measured interval: a running mean over the first [`PROFILE_WINDOW`]
/// samples, then an exponential moving average of that weight.
pub fn learn(hour: &mut ProfileHour, imported: Energy, exported: Energy) {
	let n = u64::from(hour.samples.saturating_add(1).min(PROFILE_WINDOW));
	let step = |avg: Energy, x: Energy| {
		// Rounded to the nearest Wh, so the average settles within half a Wh per sample.
		let total = u128::from(avg.0)
			.saturating_mul(u128::from(n.saturating_sub(1)))
			.saturating_add(u128::from(x.0))
			.saturating_add(u128::from(n / 2));
		Energy(u64::try_from(total / u128::from(n)).unwrap_or(u64::MAX))
	};
	hour.imported = step(hour.imported, imported);
	hour.exported = step(hour.exported, exported);
	hour.samples = hour.samples.saturating_add(1).min(PROFILE_WINDOW);
}

/// A profile as whole hours, for intervals `interval_ms` long.
pub fn hourly(profile: &DailyProfile, interval_ms: u64) -> Vec<HourlyEnergy> {
	let per_hour = HOUR_MS.checked_div(interval_ms).unwrap_or(1);
	profile
		.iter()
		.zip(0u8..)
		.map(|(p, hour)| HourlyEnergy {
			hour,
			imported: Energy(p.imported.0.saturating_mul(per_hour)),
			exported: Energy(p.exported.0.saturating_mul(per_hour)),
			samples: p.samples,
		})
		.collect()
}

#[cfg(test)]
mod tests {
	use super::*;
	use daeg_primitives::{
		consumption::{IntervalRecord, Quality},
		IntervalIndex, Power,
	};

	fn rec(imported: u64, quality: Quality) -> IntervalRecord {
		IntervalRecord {
			interval: IntervalIndex(1),
			imported: Energy(imported),
			exported: Energy(1),
			quality,
			anomaly: None,
		}
	}

	#[test]
	fn totals_give_peak_power_and_load_factor() {
		let mut t = EnergyTotals::default();
		for (e, q) in
			[(250, Quality::Measured), (500, Quality::Measured), (0, Quality::Substituted)]
		{
			t.add(&rec(e, q));
		}
		assert_eq!(
			(t.imported, t.peak_import, t.intervals, t.estimated),
			(Energy(750), Energy(500), 3, 1)
		);
		let r = report(&t, 900_000);
		// 500 Wh in a quarter-hour is 2 kW; 750 / (500 × 3) = 50 %.
		assert_eq!(r.peak_import_power, Power(2_000));
		assert_eq!(r.load_factor, Permill::from_percent(50));
		assert_eq!(report(&EnergyTotals::default(), 900_000).load_factor, Permill::zero());
		let mut sum = t;
		sum.merge(&t);
		assert_eq!(
			(sum.imported, sum.peak_import, sum.intervals),
			(Energy(1_500), Energy(1_000), 3)
		);
	}

	#[test]
	fn profile_hours_average_then_move() {
		let mut h = ProfileHour::default();
		learn(&mut h, Energy(100), Energy(0));
		learn(&mut h, Energy(200), Energy(0));
		assert_eq!((h.imported, h.samples), (Energy(150), 2));
		for _ in 0..100 {
			learn(&mut h, Energy(1_000), Energy(16));
		}
		// The moving average approaches the new level and the window saturates.
		assert!(h.imported > Energy(990), "{h:?}");
		assert_eq!(h.samples, PROFILE_WINDOW);
		let hours = hourly(&[h; 24], 900_000);
		assert_eq!(hours.len(), 24);
		assert_eq!(hours[23].hour, 23);
		assert_eq!(hours[0].imported, Energy(h.imported.0 * 4));
	}
}
