//! Consumption analytics and carbon footprints: the aggregates the metering pallet keeps, the
//! reports built from them, and the runtime API behind the `metering_*` RPC methods.
//!
//! Aggregates are made of *final* interval values only (measured, interpolated or substituted
//! once the lateness window has passed), so a day's or month's totals never need correcting.

use alloc::vec::Vec;
use codec::{Codec, Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::Permill;

use crate::{
	metering::IntervalRecord, Co2Mass, DayIndex, Energy, EnergySource, IntervalIndex, MeterId,
	MonthIndex, Power, HOUR_MS,
};

/// A meter's final energy over a day or a month.
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
pub struct EnergyTotals {
	/// Energy taken from the grid, Wh.
	pub imported: Energy,
	/// Energy fed into the grid, Wh.
	pub exported: Energy,
	/// The largest import of one interval, Wh.
	pub peak_import: Energy,
	/// The largest export of one interval, Wh.
	pub peak_export: Energy,
	/// Intervals counted.
	pub intervals: u32,
	/// Of those, intervals whose value is an estimate (interpolated or substituted).
	pub estimated: u32,
}

impl EnergyTotals {
	/// Adds one final interval.
	pub fn add(&mut self, r: &IntervalRecord) {
		self.imported = self.imported.saturating_add(r.imported);
		self.exported = self.exported.saturating_add(r.exported);
		self.peak_import = self.peak_import.max(r.imported);
		self.peak_export = self.peak_export.max(r.exported);
		self.intervals = self.intervals.saturating_add(1);
		if r.quality.is_estimated() {
			self.estimated = self.estimated.saturating_add(1);
		}
	}

	/// Adds another meter's totals over the same period. Peaks add up too: an account's peak
	/// is reported as the sum of its meters' peaks (non-coincident, an upper bound); the
	/// intervals are the period's, so the larger count of the two.
	pub fn merge(&mut self, other: &Self) {
		self.imported = self.imported.saturating_add(other.imported);
		self.exported = self.exported.saturating_add(other.exported);
		self.peak_import = self.peak_import.saturating_add(other.peak_import);
		self.peak_export = self.peak_export.saturating_add(other.peak_export);
		self.intervals = self.intervals.max(other.intervals);
		self.estimated = self.estimated.saturating_add(other.estimated);
	}

	/// The report of these totals for intervals `interval_ms` long.
	pub fn report(&self, interval_ms: u64) -> EnergyReport {
		let peak = |e: Energy| e.average_power_over(interval_ms).unwrap_or_default();
		// Load factor: average over peak = energy / (peak interval energy × intervals).
		let ceiling = u128::from(self.peak_import.0).saturating_mul(self.intervals.into());
		let load_factor = if ceiling == 0 {
			Permill::zero()
		} else {
			Permill::from_rational(u128::from(self.imported.0).min(ceiling), ceiling)
		};
		EnergyReport {
			imported: self.imported,
			exported: self.exported,
			peak_import_power: peak(self.peak_import),
			peak_export_power: peak(self.peak_export),
			load_factor,
			intervals: self.intervals,
			estimated: self.estimated,
		}
	}
}

/// A period analytics report on.
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
pub enum Period {
	/// A UTC day.
	Day(DayIndex),
	/// A UTC calendar month.
	Month(MonthIndex),
}

/// Energy over a period, for a meter or an account.
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
pub struct EnergyReport {
	/// Energy taken from the grid, Wh.
	pub imported: Energy,
	/// Energy fed into the grid, Wh.
	pub exported: Energy,
	/// The highest average import power of one interval.
	pub peak_import_power: Power,
	/// The highest average export power of one interval.
	pub peak_export_power: Power,
	/// Average import power over peak import power.
	pub load_factor: Permill,
	/// Final intervals counted.
	pub intervals: u32,
	/// Of those, estimated ones.
	pub estimated: u32,
}

/// One hour of a meter's typical day: what it imports and exports per interval in that hour,
/// as a moving average over recent days of its measured intervals.
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
pub struct ProfileHour {
	/// Average import per interval, Wh.
	pub imported: Energy,
	/// Average export per interval, Wh.
	pub exported: Energy,
	/// Measured intervals learnt (saturates at the averaging window).
	pub samples: u16,
}

/// The number of measured intervals a profile hour averages over before it turns into a moving
/// average: about four days of quarter-hours.
pub const PROFILE_WINDOW: u16 = 16;

impl ProfileHour {
	/// Learns one more measured interval: a running mean over the first
	/// [`PROFILE_WINDOW`] samples, then an exponential moving average of that weight.
	pub fn learn(&mut self, imported: Energy, exported: Energy) {
		let n = u64::from(self.samples.saturating_add(1).min(PROFILE_WINDOW));
		let step = |avg: Energy, x: Energy| {
			// Rounded to the nearest Wh, so the average settles within half a Wh per sample.
			let total = u128::from(avg.0)
				.saturating_mul(u128::from(n.saturating_sub(1)))
				.saturating_add(u128::from(x.0))
				.saturating_add(u128::from(n / 2));
			Energy(u64::try_from(total / u128::from(n)).unwrap_or(u64::MAX))
		};
		self.imported = step(self.imported, imported);
		self.exported = step(self.exported, exported);
		self.samples = self.samples.saturating_add(1).min(PROFILE_WINDOW);
	}
}

/// A meter's typical day, hour by hour (UTC).
pub type DailyProfile = [ProfileHour; 24];

/// One hour of a typical day as the API reports it: energy over the whole hour.
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
pub struct HourlyEnergy {
	/// The hour of the UTC day, 0 to 23.
	pub hour: u8,
	/// Typical import over the hour, Wh.
	pub imported: Energy,
	/// Typical export over the hour, Wh.
	pub exported: Energy,
	/// Measured intervals behind the figure (0: no data for this hour yet).
	pub samples: u16,
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

/// An interval's energy at a meter, and whether it is final (past the lateness window and
/// counted in the aggregates: settlement may use it).
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
pub struct MeteredInterval {
	/// The interval's record.
	pub record: IntervalRecord,
	/// Whether the value is final.
	pub is_final: bool,
}

/// An account's carbon footprint over a day.
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
pub struct Footprint {
	/// The day.
	pub day: DayIndex,
	/// Energy its meters imported (final values), Wh.
	pub consumed: Energy,
	/// Of that, energy bought in the market, by source (scaled down pro rata when more was
	/// bought than consumed).
	pub bought: Vec<(EnergySource, Energy)>,
	/// The rest, at the residual-mix intensity, Wh.
	pub residual: Energy,
	/// The CO₂ emitted for the day's consumption, grams.
	pub co2: Co2Mass,
}

sp_api::decl_runtime_apis! {
	/// Consumption analytics and carbon footprints (the `metering_*` RPC methods).
	pub trait MeteringApi<AccountId> where AccountId: Codec {
		/// A meter's intervals from `from` to `to` inclusive that its history still holds.
		fn intervals(meter: MeterId, from: IntervalIndex, to: IntervalIndex) -> Vec<MeteredInterval>;
		/// A meter's energy over a day or month; `None` for an unknown meter or a period no
		/// longer (or not yet) kept.
		fn meter_report(meter: MeterId, period: Period) -> Option<EnergyReport>;
		/// The energy of all an account's meters over a day or month.
		fn account_report(account: AccountId, period: Period) -> EnergyReport;
		/// A meter's typical day, hour by hour; `None` for an unknown meter.
		fn daily_profile(meter: MeterId) -> Option<Vec<HourlyEnergy>>;
		/// An account's carbon footprint over a day.
		fn carbon_footprint(account: AccountId, day: DayIndex) -> Footprint;
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::metering::Quality;

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
		let r = t.report(900_000);
		// 500 Wh in a quarter-hour is 2 kW; 750 / (500 × 3) = 50 %.
		assert_eq!(r.peak_import_power, Power(2_000));
		assert_eq!(r.load_factor, Permill::from_percent(50));
		assert_eq!(EnergyTotals::default().report(900_000).load_factor, Permill::zero());
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
		h.learn(Energy(100), Energy(0));
		h.learn(Energy(200), Energy(0));
		assert_eq!((h.imported, h.samples), (Energy(150), 2));
		for _ in 0..100 {
			h.learn(Energy(1_000), Energy(16));
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
