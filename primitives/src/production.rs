//! What the production pallet (`pallet-production`) shares with the other pallets: facilities,
//! their certification, and whether a facility may sell energy.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::{traits::ConstU32, BoundedVec};

use crate::{EnergySource, FacilityId, MeterId, Power, ZoneId};

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
