//! Consumption analytics and carbon footprints: the aggregates the consumption pallet keeps, the
//! reports built from them, and the runtime API behind the `consumption_*` RPC methods.
//!
//! Aggregates are made of *final* interval values only (measured, interpolated or substituted
//! once the lateness window has passed), so a day's or month's totals never need correcting.

use alloc::vec::Vec;
use codec::{Codec, Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::Permill;

use crate::{
	consumption::IntervalRecord, Co2Mass, DayIndex, Energy, EnergySource, IntervalIndex, MeterId,
	MonthIndex, Power,
};

shared_type!(
	[Copy, Default]
	/// A meter's final energy over a day or a month.
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
);

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
}

view_type!(
	[Copy]
	/// A period analytics report on.
	pub enum Period {
		/// A UTC day.
		Day(DayIndex),
		/// A UTC calendar month.
		Month(MonthIndex),
	}
);

view_type!(
	[Copy, Default]
	/// Energy over a period, for a meter or an account.
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
);

shared_type!(
	[Copy, Default]
	/// One hour of a meter's typical day: what it imports and exports per interval in that hour,
	/// as a moving average over recent days of its measured intervals.
	pub struct ProfileHour {
		/// Average import per interval, Wh.
		pub imported: Energy,
		/// Average export per interval, Wh.
		pub exported: Energy,
		/// Measured intervals learnt (saturates at the averaging window).
		pub samples: u16,
	}
);

/// A meter's typical day, hour by hour (UTC).
pub type DailyProfile = [ProfileHour; 24];

view_type!(
	[Copy]
	/// One hour of a typical day as the API reports it: energy over the whole hour.
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
);

view_type!(
	[Copy]
	/// An interval's energy at a meter, and whether it is final (past the lateness window and
	/// counted in the aggregates: settlement may use it).
	pub struct MeteredInterval {
		/// The interval's record.
		pub record: IntervalRecord,
		/// Whether the value is final.
		pub is_final: bool,
	}
);

view_type!(
	[Default]
	/// An account's carbon footprint over a day.
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
);

sp_api::decl_runtime_apis! {
	/// Consumption analytics and carbon footprints (the `consumption_*` RPC methods).
	pub trait ConsumptionApi<AccountId> where AccountId: Codec {
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
