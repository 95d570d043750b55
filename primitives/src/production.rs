//! What the production pallet (`pallet-production`) shares with the other pallets: facilities,
//! their certification, and whether a facility may sell energy.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::{traits::ConstU32, BoundedVec};

use crate::{DayIndex, Energy, EnergySource, FacilityId, HourIndex, MeterId, Money, Power, ZoneId};
use sp_runtime::Permill;

/// The most bytes of a reason given for suspending or revoking a certification.
pub const MAX_REASON_LEN: u32 = 128;

/// Why a certifier suspended or revoked a facility's certification (UTF-8 text).
pub type Reason = BoundedVec<u8, ConstU32<MAX_REASON_LEN>>;

shared_type!(
	[Copy, Default]
	/// A point on the earth: WGS 84 latitude and longitude in millionths of a degree (about 11 cm).
	pub struct Location {
		/// Latitude, −90,000,000 to 90,000,000.
		pub lat_micro_deg: i32,
		/// Longitude, −180,000,000 to 180,000,000.
		pub lon_micro_deg: i32,
	}
);

impl Location {
	/// Whether the coordinates are on the earth.
	pub fn is_valid(&self) -> bool {
		(-90_000_000..=90_000_000).contains(&self.lat_micro_deg)
			&& (-180_000_000..=180_000_000).contains(&self.lon_micro_deg)
	}
}

stored_type!(
	[]
	/// Where a facility is in its certification.
	pub enum Certification<AccountId> {
		/// Registered, not yet certified: it may not sell.
		Pending,
		/// Certified by `by` until grid time `until_ms`: it may sell until then.
		Certified {
			/// The certifier.
			by: AccountId,
			/// When the certification expires (ms since the Unix epoch).
			until_ms: u64,
		},
		/// Suspended by a certifier: it may not sell until certified again.
		Suspended {
			/// Why.
			reason: Reason,
		},
		/// Revoked: it may not sell until the grid operators reinstate it (back to `Pending`).
		Revoked {
			/// Why.
			reason: Reason,
		},
	}
);

/// What other pallets may know of a facility.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FacilityInfo<AccountId> {
	/// Its producer.
	pub owner: AccountId,
	/// What it generates from.
	pub source: EnergySource,
	/// Its nameplate capacity.
	pub capacity: Power,
	/// The grid zone it feeds.
	pub zone: ZoneId,
	/// The meter that measures it.
	pub meter: MeterId,
}

/// Read access to facilities, for the market.
pub trait FacilityRegistry<AccountId> {
	/// The facility `id`, if it is registered.
	fn facility(id: FacilityId) -> Option<FacilityInfo<AccountId>>;
	/// Whether the facility may sell energy delivered at grid time `at_ms`: certified, not
	/// suspended or revoked, not expired, and not in a declared maintenance window.
	fn may_sell(id: FacilityId, at_ms: u64) -> bool;
}

shared_type!(
	[Copy]
	/// A planned outage of a facility: grid time `[start_ms, end_ms)`.
	pub struct MaintenanceWindow {
		/// When the outage starts (ms since the Unix epoch).
		pub start_ms: u64,
		/// When the facility is back (ms since the Unix epoch).
		pub end_ms: u64,
	}
);

impl MaintenanceWindow {
	/// Whether grid time `at_ms` lies in the window.
	pub fn covers(&self, at_ms: u64) -> bool {
		(self.start_ms..self.end_ms).contains(&at_ms)
	}

	/// Whether the two windows share a moment.
	pub fn overlaps(&self, other: &Self) -> bool {
		self.start_ms < other.end_ms && other.start_ms < self.end_ms
	}
}

shared_type!(
	[Copy, Default]
	/// What governance sets per source: what a facility of that source typically delivers and how
	/// often it must be maintained.
	pub struct SourceParameters {
		/// The source's typical capacity factor: the expected output of a facility is its
		/// capacity × time × this share. Zero: output is not checked.
		pub typical_capacity_factor: Permill,
		/// Days allowed between maintenance (from commissioning, then from the end of the last
		/// maintenance window); `None`: never overdue.
		pub maintenance_interval_days: Option<u32>,
	}
);

shared_type!(
	[Copy]
	/// When a facility's output counts as low: below `share` of its expected output over a
	/// window of `intervals` consecutive final intervals.
	pub struct EfficiencyRule {
		/// The share of the expected output below which output is low.
		pub share: Permill,
		/// How many intervals the output is summed over (above zero).
		pub intervals: u32,
	}
);

shared_type!(
	[Copy, PartialOrd, Ord]
	/// Identifies a certificate of origin: the hour its energy was produced in and a serial
	/// number unique on the chain.
	pub struct CertificateId {
		/// The hour of production.
		pub hour: HourIndex,
		/// The serial number.
		pub serial: u64,
	}
);

view_type!(
	[Default]
	/// How a facility is operating: certification, maintenance, output and certificates.
	pub struct FacilityStatus {
		/// Whether it may sell energy now.
		pub may_sell: bool,
		/// Its declared maintenance windows that have not ended.
		pub maintenance: alloc::vec::Vec<MaintenanceWindow>,
		/// The day its last maintenance ended (its commissioning day before any).
		pub last_maintained: DayIndex,
		/// The day by which it must be maintained again, if its source has an interval.
		pub maintenance_due: Option<DayIndex>,
		/// Whether its output was below the efficiency rule's share over the last full window.
		pub low_output: bool,
		/// Renewable energy its meter measured in final values, Wh.
		pub metered_renewable: Energy,
		/// Energy certificates of origin were issued for, Wh.
		pub certified: Energy,
		/// Feed-in premium earned but not yet paid (the incentives account ran short).
		#[serde(with = "crate::money_string")]
		pub unpaid_premium: Money,
	}
);

shared_type!(
	[Copy, Default]
	/// A facility's final metered production over a day.
	pub struct ProductionDay {
		/// Energy exported, Wh.
		pub energy: Energy,
		/// Final intervals counted.
		pub intervals: u32,
		/// Of those, intervals with output above zero.
		pub producing: u32,
		/// Of those, intervals whose value is an estimate.
		pub estimated: u32,
	}
);

impl ProductionDay {
	/// Adds another day (or interval).
	pub fn merge(&mut self, other: &Self) {
		self.energy = self.energy.saturating_add(other.energy);
		self.intervals = self.intervals.saturating_add(other.intervals);
		self.producing = self.producing.saturating_add(other.producing);
		self.estimated = self.estimated.saturating_add(other.estimated);
	}
}

view_type!(
	[Copy, Default]
	/// A facility's production over a window of days.
	pub struct ProductionReport {
		/// Energy exported, Wh.
		pub energy: Energy,
		/// Final intervals counted.
		pub intervals: u32,
		/// Of those, estimated ones.
		pub estimated: u32,
		/// Energy over what the nameplate capacity delivers in those intervals.
		pub capacity_factor: Permill,
		/// Share of those intervals with output.
		pub availability: Permill,
	}
);

sp_api::decl_runtime_apis! {
	/// Production metrics (the `production_*` RPC methods).
	pub trait ProductionApi {
		/// A facility's production from day `from` to day `to` (inclusive) that is still
		/// kept; `None` for an unknown facility.
		fn facility_report(facility: FacilityId, from: DayIndex, to: DayIndex) -> Option<ProductionReport>;
		/// Production per source and zone on `day`, if still kept.
		fn day_totals(day: DayIndex) -> alloc::vec::Vec<(EnergySource, ZoneId, Energy)>;
		/// How a facility is operating now; `None` for an unknown facility.
		fn facility_status(facility: FacilityId) -> Option<FacilityStatus>;
		/// Facilities whose maintenance is overdue today, with the day it was due.
		fn overdue_maintenance() -> alloc::vec::Vec<(FacilityId, DayIndex)>;
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn locations_must_be_on_the_earth() {
		assert!(Location { lat_micro_deg: 90_000_000, lon_micro_deg: -180_000_000 }.is_valid());
		assert!(!Location { lat_micro_deg: 0, lon_micro_deg: 180_000_001 }.is_valid());
	}
}
