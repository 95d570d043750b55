//! What the consumption pallet (`pallet-consumption`: meters, readings, final values) shares
//! with the other pallets: the meter registry, the meters' device keys, and the interfaces
//! through which metered energy reaches production, pricing and balancing (pallets depend on
//! these traits, never on each other); and, in [`analytics`], its views and runtime API.

pub mod analytics;
pub use analytics::*;

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

use crate::{
	CarbonIntensity, DayIndex, Energy, EnergySource, IntervalIndex, MeterId, Power, PricePerKWh,
	ZoneId,
};

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

/// The domain separator of a reading's signed payload, versioned so that a future change of
/// the reading format can never make an old signature valid for a new meaning.
pub const READING_CONTEXT: &[u8] = b"daeg/reading/v1";

shared_type!(
	[Copy]
	/// A meter's reading for one market interval, as its device signs it.
	///
	/// The registers are cumulative (as on the meter's display), so a lost reading loses no
	/// energy: the next one still covers everything since the last one that arrived.
	pub struct Reading {
		/// The meter read.
		pub meter: MeterId,
		/// The interval whose end the registers were read at.
		pub interval: IntervalIndex,
		/// The cumulative import register (energy taken from the grid), Wh.
		pub imported: Energy,
		/// The cumulative export register (energy fed into the grid), Wh.
		pub exported: Energy,
		/// When the registers were read: milliseconds since the Unix epoch, within the interval
		/// that follows `interval`.
		pub measured_at: u64,
		/// The meter's signature counter: one more than its previous reading's, so that a replay,
		/// a gap or a reordering is evident (like the pagination counter of OCMF-signed meters).
		pub counter: u32,
	}
);

impl Reading {
	/// The bytes the meter's device key signs: the context, the chain's genesis hash (so that
	/// a reading cannot be replayed on another chain) and the reading.
	pub fn signing_payload(&self, genesis_hash: &[u8]) -> alloc::vec::Vec<u8> {
		(READING_CONTEXT, genesis_hash, self).encode()
	}
}

shared_type!(
	[Copy]
	/// A meter's cumulative registers at the end of an interval, as the meter oracle queues them
	/// for the node's offchain worker: a [`Reading`] without its counter. The worker numbers the
	/// readings when it signs them (one more than the chain's counter), so that a reading which can
	/// no longer land (late after a long outage) never blocks the ones after it.
	pub struct IntervalRegisters {
		/// The meter read.
		pub meter: MeterId,
		/// The interval whose end the registers were read at.
		pub interval: IntervalIndex,
		/// The cumulative import register, Wh.
		pub imported: Energy,
		/// The cumulative export register, Wh.
		pub exported: Energy,
		/// When the registers were read: milliseconds since the Unix epoch.
		pub measured_at: u64,
	}
);

impl IntervalRegisters {
	/// The reading to sign with the meter's `counter`.
	pub fn with_counter(self, counter: u32) -> Reading {
		let Self { meter, interval, imported, exported, measured_at } = self;
		Reading { meter, interval, imported, exported, measured_at, counter }
	}
}

/// The hand-off between the meter oracle and the offchain worker: plain HTTP on the node's
/// machine, bodies SCALE-encoded (see `docs/consumption.md`).
pub mod oracle_api {
	/// `GET`: the queued readings, a SCALE `Vec<IntervalRegisters>`, oldest first.
	pub const READINGS_PATH: &str = "/readings";
	/// `POST`: what the chain holds, a SCALE `Vec<(MeterId, IntervalIndex)>` of each meter's
	/// last interval on chain; the oracle may forget readings up to those intervals.
	pub const DELIVERED_PATH: &str = "/delivered";
	/// The key (in the node's persistent offchain storage) of the oracle's base URL, which the
	/// node writes from its `--meter-oracle` flag.
	pub const URL_KEY: &[u8] = b"daeg/meter-oracle/url";
	/// The most readings the oracle serves in one response, so that a worker's response stays
	/// small however long an outage was.
	pub const MAX_READINGS_PER_RESPONSE: u32 = 10_000;
}

/// Why the transaction pool refuses a reading: the `InvalidTransaction::Custom` code a client
/// sees, one per cause.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ReadingError {
	/// No meter has this id.
	UnknownMeter = 1,
	/// The meter is not active (not yet activated, or suspended).
	InactiveMeter = 2,
	/// The signature is not the meter's device key's signature of the reading.
	BadSignature = 3,
	/// The interval has not ended yet.
	FutureInterval = 4,
	/// The interval is older than the lateness window: its values are final.
	LateReading = 5,
	/// The measurement time is not within the interval after the reading's interval.
	BadMeasurementTime = 6,
	/// The counter is not above the meter's last one: a replay.
	Replay = 7,
	/// The counter skips readings that are not on chain (only in a block: the pool keeps such
	/// readings until the missing ones arrive).
	CounterGap = 8,
	/// The interval is not after the meter's last reading's interval.
	OutOfOrder = 9,
	/// A cumulative register is lower than in the meter's last reading.
	RegisterDecreased = 10,
	/// A batch holds no reading.
	EmptyBatch = 11,
	/// A batch holds two readings of one meter.
	DuplicateInBatch = 12,
	/// A batched reading does not follow its meter's last reading by exactly one interval
	/// (readings after a gap go one by one: their interpolation cost varies).
	GapInBatch = 13,
	/// A register rose by more than the connection's maximum power carries over the time since
	/// the meter's last reading: physically impossible, so never paid.
	OverCapacity = 14,
	/// The export register of a meter that only measures import (a consumer's) rose.
	ExportOnImportMeter = 15,
}

impl ReadingError {
	/// Every cause, in code order.
	pub const ALL: [ReadingError; 15] = [
		ReadingError::UnknownMeter,
		ReadingError::InactiveMeter,
		ReadingError::BadSignature,
		ReadingError::FutureInterval,
		ReadingError::LateReading,
		ReadingError::BadMeasurementTime,
		ReadingError::Replay,
		ReadingError::CounterGap,
		ReadingError::OutOfOrder,
		ReadingError::RegisterDecreased,
		ReadingError::EmptyBatch,
		ReadingError::DuplicateInBatch,
		ReadingError::GapInBatch,
		ReadingError::OverCapacity,
		ReadingError::ExportOnImportMeter,
	];

	/// The code clients see.
	pub const fn code(self) -> u8 {
		self as u8
	}

	/// The cause behind a code.
	pub fn from_code(code: u8) -> Option<Self> {
		Self::ALL.iter().copied().find(|e| e.code() == code)
	}
}

impl From<ReadingError> for sp_runtime::transaction_validity::TransactionValidityError {
	fn from(e: ReadingError) -> Self {
		sp_runtime::transaction_validity::InvalidTransaction::Custom(e.code()).into()
	}
}

shared_type!(
	[Copy]
	/// How an interval's energy was established.
	pub enum Quality {
		/// From two consecutive readings.
		Measured,
		/// A share of the energy between two readings around a gap of up to two hours.
		Interpolated,
		/// A substitute from the meter's own recent profile, for a longer gap or a reading that
		/// did not arrive.
		Substituted,
	}
);

impl Quality {
	/// Whether the value is an estimate rather than a measurement.
	pub const fn is_estimated(self) -> bool {
		!matches!(self, Quality::Measured)
	}
}

shared_type!(
	[Copy]
	/// Why a reading was flagged.
	pub enum Anomaly {
		/// A step far above the meter's recent trend (the consumption pallet's `JumpFactor`). Energy
		/// above what the connection carries is not an anomaly but refused
		/// ([`ReadingError::OverCapacity`]).
		Jump,
	}
);

shared_type!(
	[Copy]
	/// One interval's energy at a meter.
	pub struct IntervalRecord {
		/// The interval (the history is a ring, so the record names its interval).
		pub interval: IntervalIndex,
		/// Energy taken from the grid, Wh.
		pub imported: Energy,
		/// Energy fed into the grid, Wh.
		pub exported: Energy,
		/// Measured, interpolated or substituted.
		pub quality: Quality,
		/// Set when the reading behind it was flagged.
		pub anomaly: Option<Anomaly>,
	}
);

shared_type!(
	[Copy]
	/// What a meter measures.
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
);

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

shared_type!(
	[Copy]
	/// Where a meter is in its life.
	pub enum MeterStatus {
		/// Installed by its owner, not yet checked: its readings are refused.
		Installed,
		/// Checked and activated by a certifier or the grid operators: its readings count.
		Active,
		/// Suspended (by the grid operators, or after repeated anomalies): readings are refused
		/// until it is activated again.
		Suspended,
	}
);

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

/// The final energy of a meter's intervals, for settlement: an interval is final once the
/// lateness window has passed and the consumption pallet has fixed its value (measured,
/// interpolated or substituted).
pub trait MeteredEnergy {
	/// The final record of `meter` in `interval`; `None` while the interval is open or once
	/// the history no longer holds it.
	fn final_energy(meter: MeterId, interval: IntervalIndex) -> Option<IntervalRecord>;
	/// The totals of `meter`'s final values on `day` so far (they grow until the day's last
	/// interval is final); `None` once the consumption pallet no longer keeps the day.
	fn final_day(meter: MeterId, day: DayIndex) -> Option<EnergyTotals>;
}

/// The carbon intensity of each source's energy, as governance sets it in the consumption pallet.
pub trait CarbonIntensities {
	/// The intensity of energy from `source` now.
	fn intensity_of(source: EnergySource) -> CarbonIntensity;
}

/// Told of every interval value the consumption pallet makes final: once per meter and interval,
/// in interval order, from the finalization pass (how production metrics and certificates of
/// origin follow from final metered values without a second pass).
pub trait OnFinalInterval {
	/// `record` of `meter` is final. Returns the weight used (at most [`Self::weight`]): most
	/// meters measure no facility and cost a single read.
	fn on_final(meter: MeterId, record: &IntervalRecord) -> sp_runtime::Weight;
	/// A real reading of `meter` in interval `at` found that the final substitutes of the
	/// intervals since its last reading counted other energy than it measured: the
	/// difference is trued up. Returns the weight used (at most [`Self::weight`]).
	fn on_correction(
		_meter: MeterId,
		_at: IntervalIndex,
		_correction: &Correction,
	) -> sp_runtime::Weight {
		sp_runtime::Weight::zero()
	}
	/// The most weight one [`Self::on_final`] or [`Self::on_correction`] may take.
	fn weight() -> sp_runtime::Weight;
}

shared_type!(
	[Copy, Default]
	/// What a real reading after a silence tells about the final intervals before it: their
	/// substitutes counted `counted` (imported, exported), and the reading's energy, split over
	/// the silence as the substitutes were, gives them `measured`. Final values never change; the
	/// market trues the difference up instead, so that over a meter's life it settles what the
	/// registers measured.
	pub struct Correction {
		/// The first final interval corrected.
		pub from: IntervalIndex,
		/// The last final interval corrected.
		pub to: IntervalIndex,
		/// What their substitutes counted (imported, exported).
		pub counted: (Energy, Energy),
		/// What the reading measured for them (imported, exported).
		pub measured: (Energy, Energy),
		/// Set when the reading was flagged.
		pub anomaly: Option<Anomaly>,
	}
);

/// What the grid dispatched a meter's unit to do in an interval (the balancing pallet's
/// schedule). A storage unit steps from idle to full power because the grid tells it to: the
/// consumption pallet judges such a step against the schedule, not against the meter's trend alone.
pub trait DispatchedEnergy {
	/// The energy (imported, exported) `meter`'s unit was dispatched to move in `interval`;
	/// `None` if it was not dispatched then.
	fn dispatched(meter: MeterId, interval: IntervalIndex) -> Option<(Energy, Energy)>;
	/// The most weight one [`Self::dispatched`] may take.
	fn weight() -> sp_runtime::Weight;
}

impl DispatchedEnergy for () {
	fn dispatched(_: MeterId, _: IntervalIndex) -> Option<(Energy, Energy)> {
		None
	}
	fn weight() -> sp_runtime::Weight {
		sp_runtime::Weight::zero()
	}
}

impl OnFinalInterval for () {
	fn on_final(_: MeterId, _: &IntervalRecord) -> sp_runtime::Weight {
		sp_runtime::Weight::zero()
	}
	fn weight() -> sp_runtime::Weight {
		sp_runtime::Weight::zero()
	}
}

/// Both handlers, the first first.
impl<A: OnFinalInterval, B: OnFinalInterval> OnFinalInterval for (A, B) {
	fn on_final(meter: MeterId, record: &IntervalRecord) -> sp_runtime::Weight {
		A::on_final(meter, record).saturating_add(B::on_final(meter, record))
	}
	fn on_correction(
		meter: MeterId,
		at: IntervalIndex,
		correction: &Correction,
	) -> sp_runtime::Weight {
		A::on_correction(meter, at, correction)
			.saturating_add(B::on_correction(meter, at, correction))
	}
	fn weight() -> sp_runtime::Weight {
		A::weight().saturating_add(B::weight())
	}
}

/// Where the market reports what each buyer bought, so that the consumption pallet can work out
/// carbon footprints from the source mix an account actually bought.
pub trait PurchaseLedger<AccountId> {
	/// `buyer` was delivered `energy` from `source` in `interval` (called at settlement).
	fn note_purchase(
		buyer: &AccountId,
		interval: IntervalIndex,
		source: EnergySource,
		energy: Energy,
	);
	/// The weight of one [`Self::note_purchase`].
	fn note_purchase_weight() -> sp_runtime::Weight;
}

shared_type!(
	[Copy, Default, PartialOrd, Ord]
	/// How urgently a connection must be served: load is shed from the least critical class
	/// first, critical loads (hospitals, emergency services) last. The grid operators assign it.
	pub enum PriorityClass {
		/// Shed first: loads that can wait (e.g. heat pumps with storage, EV charging).
		Deferrable,
		/// Ordinary households and businesses.
		#[default]
		Standard,
		/// Loads whose loss causes harm beyond inconvenience (e.g. water pumping, care homes).
		Essential,
		/// Shed last: hospitals, emergency services.
		Critical,
	}
);

shared_type!(
	[Copy]
	/// Load a consumer offers for demand response.
	pub struct FlexibleLoad {
		/// The power it can shed on request.
		pub power: Power,
		/// The most hours per day it can stay shed.
		pub max_hours_per_day: u8,
	}
);

shared_type!(
	[Copy, Default]
	/// What a consumer wants from the market.
	pub struct ConsumerPreferences {
		/// The most it will pay per kWh: above it, its flexible load is offered rather than bought.
		pub max_price: Option<PricePerKWh>,
		/// Whether it buys only from renewable sources.
		pub green_only: bool,
		/// Load it offers for demand response.
		pub flexible_load: Option<FlexibleLoad>,
	}
);

/// Read access to consumers' preferences and priority classes.
pub trait ConsumerProfiles<AccountId> {
	/// `who`'s preferences (the default when it set none).
	fn preferences(who: &AccountId) -> ConsumerPreferences;
	/// `who`'s priority class (`Standard` unless the grid operators assigned another).
	fn priority(who: &AccountId) -> PriorityClass;
}

/// Creates registered meters in benchmarks of pallets that need one (e.g. to register a
/// facility), without depending on the consumption pallet.
#[cfg(feature = "runtime-benchmarks")]
pub trait MeterBenchmarkHelper<AccountId> {
	/// Registers and activates a meter of `kind` in `zone`, owned by `owner`.
	fn active_meter(owner: &AccountId, kind: MeterKind, zone: ZoneId) -> MeterId;
	/// Makes `imported` the final import of `meter` on `day`.
	fn set_final_day(meter: MeterId, day: DayIndex, imported: Energy);
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn reading_error_codes_round_trip_and_are_distinct() {
		for (i, e) in ReadingError::ALL.iter().enumerate() {
			assert_eq!(usize::from(e.code()), i + 1);
			assert_eq!(ReadingError::from_code(e.code()), Some(*e));
		}
		assert_eq!(ReadingError::from_code(0), None);
		assert_eq!(ReadingError::from_code(16), None);
	}

	#[test]
	fn payload_binds_context_chain_and_reading() {
		let r = Reading {
			meter: MeterId(1),
			interval: IntervalIndex(2),
			imported: Energy(3),
			exported: Energy(4),
			measured_at: 5,
			counter: 6,
		};
		let p = r.signing_payload(&[9u8; 32]);
		assert!(p.starts_with(&(READING_CONTEXT).encode()));
		assert_ne!(p, r.signing_payload(&[8u8; 32]));
		assert_ne!(p, Reading { counter: 7, ..r }.signing_payload(&[9u8; 32]));
	}
}
