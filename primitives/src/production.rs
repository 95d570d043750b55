//! What the production pallet (`pallet-production`) shares with the other pallets: facilities,
//! their certification, and whether a facility may sell energy.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::{traits::ConstU32, BoundedVec};

use crate::{DayIndex, Energy, EnergySource, FacilityId, MeterId, Power, ZoneId};
use sp_runtime::Permill;

/// The most bytes of a reason given for suspending or revoking a certification.
pub const MAX_REASON_LEN: u32 = 128;

/// Why a certifier suspended or revoked a facility's certification (UTF-8 text).
pub type Reason = BoundedVec<u8, ConstU32<MAX_REASON_LEN>>;

/// A point on the earth: WGS 84 latitude and longitude in millionths of a degree (about 11 cm).
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
pub struct Location {
	/// Latitude, −90,000,000 to 90,000,000.
	pub lat_micro_deg: i32,
	/// Longitude, −180,000,000 to 180,000,000.
	pub lon_micro_deg: i32,
}

impl Location {
	/// Whether the coordinates are on the earth.
	pub fn is_valid(&self) -> bool {
		(-90_000_000..=90_000_000).contains(&self.lat_micro_deg)
			&& (-180_000_000..=180_000_000).contains(&self.lon_micro_deg)
	}
}

/// Where a facility is in its certification.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
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
	/// Revoked for good: it may never sell again.
	Revoked {
		/// Why.
		reason: Reason,
	},
}

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
	/// suspended or revoked, and not expired.
	fn may_sell(id: FacilityId, at_ms: u64) -> bool;
}

/// A facility's final metered production over a day.
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

impl ProductionDay {
	/// Adds another day (or interval).
	pub fn merge(&mut self, other: &Self) {
		self.energy = self.energy.saturating_add(other.energy);
		self.intervals = self.intervals.saturating_add(other.intervals);
		self.producing = self.producing.saturating_add(other.producing);
		self.estimated = self.estimated.saturating_add(other.estimated);
	}

	/// The report for a facility of `capacity` with intervals `interval_ms` long.
	pub fn report(&self, capacity: Power, interval_ms: u64) -> ProductionReport {
		// Capacity factor: energy over what the nameplate delivers in the intervals counted.
		let ceiling = u128::from(capacity.0)
			.saturating_mul(u128::from(interval_ms))
			.saturating_mul(u128::from(self.intervals))
			/ 3_600_000;
		let share = |part: u128, all: u128| {
			if all == 0 {
				Permill::zero()
			} else {
				Permill::from_rational(part.min(all), all)
			}
		};
		ProductionReport {
			energy: self.energy,
			intervals: self.intervals,
			estimated: self.estimated,
			capacity_factor: share(u128::from(self.energy.0), ceiling),
			availability: share(u128::from(self.producing), u128::from(self.intervals)),
		}
	}
}

/// A facility's production over a window of days.
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

sp_api::decl_runtime_apis! {
	/// Production metrics (the `production_*` RPC methods).
	pub trait ProductionApi {
		/// A facility's production from day `from` to day `to` (inclusive) that is still
		/// kept; `None` for an unknown facility.
		fn facility_report(facility: FacilityId, from: DayIndex, to: DayIndex) -> Option<ProductionReport>;
		/// Production per source and zone on `day`, if still kept.
		fn day_totals(day: DayIndex) -> alloc::vec::Vec<(EnergySource, ZoneId, Energy)>;
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn capacity_factor_and_availability() {
		// 4 kW for 96 quarter-hours can deliver 96 kWh; 24 kWh is 25 %.
		let day =
			ProductionDay { energy: Energy(24_000), intervals: 96, producing: 48, estimated: 2 };
		let r = day.report(Power(4_000), 900_000);
		assert_eq!(r.capacity_factor, Permill::from_percent(25));
		assert_eq!(r.availability, Permill::from_percent(50));
		assert_eq!((r.energy, r.estimated), (Energy(24_000), 2));
		let empty = ProductionDay::default().report(Power(4_000), 900_000);
		assert_eq!((empty.capacity_factor, empty.availability), (Permill::zero(), Permill::zero()));
		let mut two = day;
		two.merge(&day);
		assert_eq!((two.energy, two.intervals), (Energy(48_000), 192));
	}

	#[test]
	fn locations_must_be_on_the_earth() {
		assert!(Location { lat_micro_deg: 90_000_000, lon_micro_deg: -180_000_000 }.is_valid());
		assert!(!Location { lat_micro_deg: 0, lon_micro_deg: 180_000_001 }.is_valid());
	}
}
