//! What the metering pallet (`pallet-consumption`) shares with the other pallets: the meter
//! registry, the meters' device keys, and the interfaces through which metered energy reaches
//! production, pricing and balancing. Pallets depend on these traits, never on each other.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

use crate::{MeterId, Power, ZoneId};

/// The key type of meter device keys in a node's keystore (`daeg-node key insert
/// --key-type metr`): the offchain worker signs a meter's readings with it.
pub const METER_KEY_TYPE: sp_runtime::KeyTypeId = sp_runtime::KeyTypeId(*b"metr");

/// The meter device key: sr25519, of its own key type so that it can never sign anything but
/// meter readings.
pub mod device {
	use sp_runtime::app_crypto::{app_crypto, sr25519};
	app_crypto!(sr25519, super::METER_KEY_TYPE);
}

/// A meter's device public key.
pub type MeterPublic = device::Public;
/// A signature by a meter's device key.
pub type MeterSignature = device::Signature;

/// What a meter measures.
#[derive(
	Clone,
	Copy,
	Debug,
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
pub enum MeterKind {
	/// A consumer's connection: imports only.
	Consumption,
	/// A generator's connection: exports only.
	Production,
	/// A prosumer's connection: imports and exports.
	Bidirectional,
	/// A storage unit: charges (imports) and discharges (exports).
	Storage,
}

impl MeterKind {
	/// Whether the meter can measure energy fed into the grid.
	pub const fn measures_export(self) -> bool {
		!matches!(self, MeterKind::Consumption)
	}

	/// Whether the meter can measure energy taken from the grid.
	pub const fn measures_import(self) -> bool {
		!matches!(self, MeterKind::Production)
	}
}

/// Where a meter is in its life.
#[derive(
	Clone,
	Copy,
	Debug,
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
pub enum MeterStatus {
	/// Installed by its owner, not yet checked: its readings are refused.
	Installed,
	/// Checked and activated by a certifier or the grid operators: its readings count.
	Active,
	/// Suspended (by the grid operators, or after repeated anomalies): readings are refused
	/// until it is activated again.
	Suspended,
}

/// What other pallets may know of a registered meter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeterInfo<AccountId> {
	/// Who owns the meter (and the connection behind it).
	pub owner: AccountId,
	/// What it measures.
	pub kind: MeterKind,
	/// The grid zone it is connected in.
	pub zone: ZoneId,
	/// The most power the connection can carry.
	pub max_power: Power,
	/// Its status.
	pub status: MeterStatus,
}

impl<AccountId> MeterInfo<AccountId> {
	/// Whether the meter's readings currently count.
	pub fn is_active(&self) -> bool {
		self.status == MeterStatus::Active
	}
}

/// Read access to the meter registry.
pub trait MeterRegistry<AccountId> {
	/// The meter `id`, if it is registered.
	fn meter(id: MeterId) -> Option<MeterInfo<AccountId>>;
}

/// Creates registered meters in benchmarks of pallets that need one (e.g. to register a
/// facility), without depending on the metering pallet.
#[cfg(feature = "runtime-benchmarks")]
pub trait MeterBenchmarkHelper<AccountId> {
	/// Registers and activates a meter of `kind` in `zone`, owned by `owner`.
	fn active_meter(owner: &AccountId, kind: MeterKind, zone: ZoneId) -> MeterId;
}
