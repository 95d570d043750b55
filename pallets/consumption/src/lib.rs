//! # Consumption pallet: DAEG's metering
//!
//! The registry of smart meters, their device-signed
//! readings, substitutes for missing data, consumption analytics, consumer preferences and
//! carbon footprints.
//!
//! ## Meter registry
//!
//! An owner **installs** a meter: what it measures ([`MeterKind`]), its grid zone, the most
//! power its connection carries, and the public key of the meter's device, which will sign its
//! readings. Installing holds a deposit ([`Config::MeterDeposit`]) for the storage the meter
//! uses; **removing** the meter returns it. A certifier or the grid operators
//! ([`Config::ActivateOrigin`]) **activate** an installed meter once they have checked it, and
//! may **suspend** it; only an active meter's readings count. Rotating a meter's device key
//! puts it back to `Installed`, so a new key is never trusted before it is checked.
//!
//! Other pallets read the registry through [`MeterRegistry`], never through this pallet's
//! storage.
//!
//! ## Readings
//!
//! A meter's device signs a [`Reading`] of its cumulative registers at the end of each market
//! interval; it enters as an authorized general transaction (no account, no fee:
//! [`Pallet::submit_reading`]). The transaction pool refuses bad readings, each with its own
//! [`ReadingError`](daeg_primitives::consumption::ReadingError) code, and keeps at most one reading per meter and interval. An accepted
//! reading becomes the interval's energy in the meter's [`History`]; a gap of up to two hours
//! is interpolated, and readings above the connection's capacity or far above the meter's
//! trend are stored but flagged. Repeated anomalies suspend the meter.
//!
//! ## Missing data and final values
//!
//! An interval without a reading gets a substitute from the meter's own profile: provisional
//! when the reading is overdue, final when the lateness window has passed. A bounded `on_idle`
//! pass writes them and folds final values into day and month totals and the meter's typical
//! daily profile ([`finalize`]). A reading after a gap spreads its energy over the gap's open
//! intervals (evenly up to two hours, by the profile beyond) minus what final substitutes
//! already count, so nothing is counted twice.
//!
//! ## Analytics, preferences and carbon
//!
//! The `ConsumptionApi` runtime API (RPC `consumption_*`) reports energy per interval, day and month,
//! peak power, load factor and the typical day of a meter or an account ([`analytics`]).
//! Consumers set their market preferences (maximum price, green only, flexible load); the grid
//! operators assign priority classes for load shedding. The market reports each buyer's
//! purchases by source ([`PurchaseLedger`](daeg_primitives::consumption::PurchaseLedger)), and an
//! account's daily carbon footprint follows from that mix and the intensities governance sets.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use weights::WeightInfo;

pub mod analytics;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod figures;
pub mod finalize;
#[cfg(test)]
mod mock;
pub mod offchain;
pub mod readings;
#[cfg(test)]
mod tests;
pub mod weights;

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
pub use daeg_primitives::consumption::{Anomaly, IntervalRecord};
use daeg_primitives::{
	consumption::{
		ConsumerPreferences, ConsumerProfiles, MeterInfo, MeterKind, MeterPublic, MeterRegistry,
		MeterSignature, MeterStatus, PriorityClass, Reading,
	},
	CarbonIntensity, DayIndex, Energy, EnergySource, GridClock, MeterId, Power, ZoneId,
};
pub use finalize::Pass;
use frame_support::traits::fungible;
pub use readings::{LastReading, ReadingState};
use scale_info::TypeInfo;

/// The balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

daeg_primitives::stored_type!(
	[]
	/// A registered meter.
	pub struct Meter<AccountId, Balance, BlockNumber> {
		/// Who installed the meter and owns the connection behind it.
		pub owner: AccountId,
		/// What it measures.
		pub kind: MeterKind,
		/// The grid zone it is connected in.
		pub zone: ZoneId,
		/// The most power its connection carries: a reading above it over an interval is an
		/// anomaly.
		pub max_power: Power,
		/// The device key that signs its readings.
		pub device_key: MeterPublic,
		/// Whether its readings count.
		pub status: MeterStatus,
		/// The deposit held from the owner while the meter is registered.
		pub deposit: Balance,
		/// The block it was installed in.
		pub installed_at: BlockNumber,
		/// Its readings so far: kept with the meter, so that a reading reads and writes one item
		/// besides its interval record.
		pub readings: ReadingState,
	}
);

/// A batch of device-signed readings, at most [`Config::MaxReadingsPerBatch`].
pub type ReadingBatchOf<T> =
	frame_support::BoundedVec<(Reading, MeterSignature), <T as Config>::MaxReadingsPerBatch>;

/// Energy per source, in the order of [`EnergySource::ALL`].
pub type SourceMix = [Energy; EnergySource::ALL.len()];

/// A meter as stored by this pallet's configuration.
pub type MeterOf<T> = Meter<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	frame_system::pallet_prelude::BlockNumberFor<T>,
>;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use daeg_primitives::pricing::MarketStanding;
	use daeg_primitives::{
		consumption::{Correction, Quality},
		consumption::{DailyProfile, EnergyTotals},
		Grid, IntervalIndex, MonthIndex,
	};
	use frame_support::{
		pallet_prelude::*,
		traits::{fungible::MutateHold, tokens::Precision},
	};
	use frame_system::pallet_prelude::*;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the consumption pallet.
	#[pallet::config]
	pub trait Config:
		frame_system::Config + frame_system::offchain::CreateAuthorizedTransaction<Call<Self>>
	{
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The currency in which meter deposits are held.
		type Currency: fungible::Inspect<Self::AccountId>
			+ fungible::Mutate<Self::AccountId>
			+ fungible::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons, which include this pallet's.
		type RuntimeHoldReason: From<HoldReason>;

		/// The deposit held for each installed meter, returned when it is removed.
		#[pallet::constant]
		type MeterDeposit: Get<BalanceOf<Self>>;

		/// The most meters one account may own.
		#[pallet::constant]
		type MaxMetersPerOwner: Get<u32>;

		/// The grid: the zones meters may be installed in, the interval length and grid time.
		type Grid: Grid;

		/// Who activates and suspends meters: a certifier (`Some` of its account: never for its
		/// own meters) or the grid operators (`None`).
		type ActivateOrigin: EnsureOrigin<Self::RuntimeOrigin, Success = Option<Self::AccountId>>;

		/// How long (ms of grid time) after an interval ends its reading is still accepted;
		/// after that the interval's values are final. Rounded down to whole intervals.
		#[pallet::constant]
		type LatenessWindow: Get<u64>;

		/// How much grid time (ms) of energy each meter's history keeps, as a ring of whole
		/// intervals: at least the lateness window and a day, for settlement, analytics and
		/// substitutes.
		#[pallet::constant]
		type HistoryMs: Get<u64>;

		/// How long (ms of grid time) a meter may go without a reading after its last one's
		/// interval before it is suspended (its intervals are substituted meanwhile): a silent
		/// meter is a broken, unplugged or tampered one, and the operators are told.
		#[pallet::constant]
		type MaxSilence: Get<u64>;

		/// Anomaly strikes at which a meter is suspended.
		#[pallet::constant]
		type MaxAnomalyStrikes: Get<u8>;

		/// An interval's energy above this many times the meter's trend (and above half its
		/// capacity) is an implausible jump.
		#[pallet::constant]
		type JumpFactor: Get<u32>;

		/// The transaction-pool priority of readings.
		#[pallet::constant]
		type ReadingPriority: Get<TransactionPriority>;

		/// How many blocks a reading stays valid in the pool.
		#[pallet::constant]
		type ReadingLongevity: Get<TransactionLongevity>;

		/// The most readings one batch ([`Pallet::submit_readings`]) carries.
		#[pallet::constant]
		type MaxReadingsPerBatch: Get<u32>;

		/// How many days of totals each meter (and of purchases each account) keeps.
		#[pallet::constant]
		type HistoryDays: Get<u32>;

		/// How many months of totals each meter keeps.
		#[pallet::constant]
		type HistoryMonths: Get<u32>;

		/// Who assigns priority classes and sets carbon intensities: the grid operators.
		type OperatorOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Told of every interval value the finalization pass makes final (production
		/// metrics, certificates of origin).
		type OnFinal: daeg_primitives::consumption::OnFinalInterval;

		/// What the grid dispatched storage units to do (the balancing pallet's schedule): a
		/// meter's step to what its unit was dispatched to is not a jump.
		type Dispatched: daeg_primitives::consumption::DispatchedEnergy;

		/// The market (the pricing pallet): a meter whose owner owes it, or that still has
		/// positions to settle, is not removed.
		type Market: daeg_primitives::pricing::MarketStanding<Self::AccountId>;

		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit of an installed meter.
		#[codec(index = 0)]
		MeterDeposit,
	}

	/// The id the next installed meter gets.
	#[pallet::storage]
	pub type NextMeterId<T> = StorageValue<_, MeterId, ValueQuery>;

	/// Every registered meter, counted (the finalization pass visits each once per interval).
	#[pallet::storage]
	pub type Meters<T: Config> = CountedStorageMap<_, Twox64Concat, MeterId, MeterOf<T>>;

	/// The meters each account owns.
	#[pallet::storage]
	pub type MetersOf<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<MeterId, T::MaxMetersPerOwner>,
		ValueQuery,
	>;

	/// The meter each device key belongs to: a device key signs for one meter only.
	#[pallet::storage]
	pub type DeviceKeys<T> = StorageMap<_, Blake2_128Concat, MeterPublic, MeterId>;

	/// Each meter's energy per interval, a ring of [`Config::HistoryMs`] slots: interval
	/// `i` lives in slot `i % HistoryLength` and overwrites the interval that many before it.
	#[pallet::storage]
	pub type History<T> =
		StorageDoubleMap<_, Twox64Concat, MeterId, Twox64Concat, u32, IntervalRecord>;

	/// Each meter's typical day: per hour, the moving average of its measured intervals.
	#[pallet::storage]
	pub type Profiles<T> = StorageMap<_, Twox64Concat, MeterId, DailyProfile, ValueQuery>;

	/// Each meter's final energy per day, a ring of [`Config::HistoryDays`] slots.
	#[pallet::storage]
	pub type DayTotals<T> =
		StorageDoubleMap<_, Twox64Concat, MeterId, Twox64Concat, u32, (DayIndex, EnergyTotals)>;

	/// Each meter's final energy per month, a ring of [`Config::HistoryMonths`] slots.
	#[pallet::storage]
	pub type MonthTotals<T> =
		StorageDoubleMap<_, Twox64Concat, MeterId, Twox64Concat, u32, (MonthIndex, EnergyTotals)>;

	/// Meters the grid operators suspended: only the operators activate them again.
	#[pallet::storage]
	pub type SuspendedByOperators<T> = StorageMap<_, Twox64Concat, MeterId, ()>;

	/// Where the `on_idle` pass over the meters stands (see [`crate::finalize`]).
	#[pallet::storage]
	pub type FinalizePass<T> = StorageValue<_, Pass, ValueQuery>;

	/// Consumers' market preferences; only accounts that own a meter have them.
	#[pallet::storage]
	pub type Preferences<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, ConsumerPreferences>;

	/// Priority classes other than `Standard`, assigned by the grid operators to accounts that
	/// own a meter.
	#[pallet::storage]
	pub type Priorities<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, PriorityClass>;

	/// The carbon intensity of each source's energy, set by governance (unset: zero).
	#[pallet::storage]
	pub type SourceIntensities<T> =
		StorageMap<_, Twox64Concat, EnergySource, CarbonIntensity, ValueQuery>;

	/// The carbon intensity of energy an account consumed but did not buy in the market (the
	/// residual mix of its supplier of last resort), set by governance.
	#[pallet::storage]
	pub type ResidualIntensity<T> = StorageValue<_, CarbonIntensity, ValueQuery>;

	/// What each account bought per day and source, as the market reports it: a ring of
	/// [`Config::HistoryDays`] slots per account.
	#[pallet::storage]
	pub type Purchases<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		u32,
		(DayIndex, SourceMix),
	>;

	/// Meters registered at genesis, each installed (its deposit held from its owner) and
	/// active: for test and demonstration chains.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Owner, kind, zone, maximum power and device key of each meter.
		pub meters: alloc::vec::Vec<(T::AccountId, MeterKind, ZoneId, Power, MeterPublic)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (owner, kind, zone, max_power, key) in &self.meters {
				// A genesis meter needs a known zone, a funded owner and a unique key.
				let installed =
					Pallet::<T>::do_install(owner.clone(), *kind, *zone, *max_power, key.clone());
				let id = installed.expect("invalid genesis meter"); // proof: genesis, not a block
				Meters::<T>::mutate(id, |m| {
					if let Some(m) = m {
						m.status = MeterStatus::Active;
					}
				});
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A meter was installed and awaits activation.
		MeterInstalled { meter: MeterId, owner: T::AccountId, kind: MeterKind, zone: ZoneId },
		/// A meter was activated: its readings count.
		MeterActivated { meter: MeterId },
		/// A meter was suspended: its readings are refused.
		MeterSuspended { meter: MeterId },
		/// A meter's device key changed; the meter awaits activation again.
		DeviceKeyRotated { meter: MeterId },
		/// A meter was removed and its deposit returned.
		MeterRemoved { meter: MeterId, owner: T::AccountId },
		/// A meter's first reading set the registers its later readings are measured from.
		MeterBaseline { meter: MeterId, interval: IntervalIndex },
		/// An interval's energy at a meter was recorded.
		IntervalRecorded {
			meter: MeterId,
			interval: IntervalIndex,
			imported: Energy,
			exported: Energy,
			quality: Quality,
		},
		/// The energy of a reading after a gap was spread over the gap's open intervals after
		/// `from` up to `to`: `Interpolated` evenly, `Substituted` by the meter's profile.
		GapFilled { meter: MeterId, from: IntervalIndex, to: IntervalIndex, quality: Quality },
		/// A reading after a silence measured other energy for the final intervals before it
		/// than their substitutes counted; the market trues up the difference.
		IntervalsTruedUp { meter: MeterId, correction: Correction },
		/// A reading was stored but flagged; `strikes` counts the meter's recent anomalies.
		ReadingAnomaly { meter: MeterId, interval: IntervalIndex, anomaly: Anomaly, strikes: u8 },
		/// A meter was suspended after repeated anomalies.
		MeterSuspendedForAnomalies { meter: MeterId },
		/// A meter was suspended because no reading came for [`Config::MaxSilence`] after
		/// the one of `last_reading`.
		MeterSuspendedForSilence { meter: MeterId, last_reading: IntervalIndex },
		/// A meter's device was exchanged (or its register rolled over): the old device's last
		/// registers were recorded, and readings go on from the new baseline.
		MeterExchanged {
			meter: MeterId,
			old_final: (Energy, Energy),
			new_baseline: (Energy, Energy),
		},
		/// A consumer set its market preferences.
		PreferencesSet { who: T::AccountId, preferences: ConsumerPreferences },
		/// A consumer cleared its market preferences.
		PreferencesCleared { who: T::AccountId },
		/// The grid operators assigned a priority class.
		PriorityClassSet { who: T::AccountId, class: PriorityClass },
		/// Governance set the carbon intensity of a source (`None`: the residual mix).
		CarbonIntensitySet { source: Option<EnergySource>, intensity: CarbonIntensity },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The zone is not one of the grid's zones.
		UnknownZone,
		/// A meter's maximum power must be above zero.
		ZeroMaxPower,
		/// The account owns as many meters as it may.
		TooManyMeters,
		/// The device key already belongs to a meter.
		DeviceKeyInUse,
		/// No meter has this id.
		UnknownMeter,
		/// Only the meter's owner may do this.
		NotOwner,
		/// The meter is already active.
		AlreadyActive,
		/// The meter is already suspended.
		AlreadySuspended,
		/// Every meter id has been used.
		MeterIdsExhausted,
		/// The account cannot pay the meter deposit.
		InsufficientBalance,
		/// The meter is not active.
		InactiveMeter,
		/// The signature is not the meter's device key's.
		BadSignature,
		/// The reading's interval has not ended.
		FutureInterval,
		/// The reading's interval is older than the lateness window.
		LateReading,
		/// The measurement time is not within the interval after the reading's interval.
		BadMeasurementTime,
		/// The reading's counter is not above the meter's last one.
		Replay,
		/// The reading's counter skips readings that are not on chain.
		CounterGap,
		/// The reading's interval is not after the meter's last reading's.
		OutOfOrder,
		/// A cumulative register went down.
		RegisterDecreased,
		/// A batch holds no reading.
		EmptyBatch,
		/// A batch holds two readings of one meter.
		DuplicateInBatch,
		/// A batched reading does not follow its meter's last reading by one interval.
		GapInBatch,
		/// A register rose by more than the connection carries over the time covered.
		OverCapacity,
		/// The export register of a meter that only measures import rose.
		ExportOnImportMeter,
		/// Only accounts that own a meter have preferences and priority classes.
		NoMeter,
		/// A maximum price must be above zero.
		ZeroMaxPrice,
		/// Flexible load must offer power above zero for 1 to 24 hours a day.
		BadFlexibleLoad,
		/// The account has no preferences to clear.
		NoPreferences,
		/// The account already has this priority class.
		SamePriorityClass,
		/// The owner owes the market arrears: the meter stays until they are paid.
		OwnerInArrears,
		/// The meter has orders in intervals not yet settled.
		OpenPositions,
		/// A certifier may not act on its own meters.
		OwnMeter,
		/// The meter has no reading yet: its first reading sets its baseline.
		NoReading,
		/// The grid operators suspended the meter: only they activate it again.
		SuspendedByOperators,
		/// The meter has readings whose intervals are not final yet (and so not settled):
		/// removable once the lateness window has passed since its last reading.
		UnsettledIntervals,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			let history = Self::history_length();
			assert!(
				history > Self::max_spread().saturating_add(Self::lateness_window()),
				"the history must outlast the lateness window and the spread of a gap"
			);
			assert!(T::HistoryDays::get() > 0 && T::HistoryMonths::get() > 0, "totals need a slot");
			assert!(T::MaxAnomalyStrikes::get() > 0, "suspension needs at least one strike");
		}

		/// Substitutes missing values and finalizes intervals (see [`crate::finalize`]).
		fn on_idle(_n: BlockNumberFor<T>, limit: Weight) -> Weight {
			Self::finalize_on_idle(limit)
		}

		/// Relays the meter oracle's readings (see [`crate::offchain`]).
		fn offchain_worker(now: BlockNumberFor<T>) {
			match Self::relay_readings(now) {
				Ok(r) if r.batched.saturating_add(r.single) > 0 => log::info!(
					target: "daeg::meter-oracle",
					"sent {} batched and {} single readings; reported {} meters to the oracle",
					r.batched,
					r.single,
					r.reported
				),
				// Not configured, or another block's worker is relaying: nothing to say.
				Ok(_)
				| Err(
					crate::offchain::RelayError::NotConfigured | crate::offchain::RelayError::Busy,
				) => {}
				Err(e) => log::warn!(target: "daeg::meter-oracle", "relaying readings: {e:?}"),
			}
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Installs a meter owned by the caller, holding [`Config::MeterDeposit`].
		///
		/// The meter starts `Installed`: its readings count once a certifier or the grid
		/// operators activate it.
		///
		/// - `kind`: what it measures.
		/// - `zone`: the grid zone it is connected in.
		/// - `max_power`: the most power its connection carries (above zero).
		/// - `device_key`: the key the meter's device signs readings with; unique to it.
		///
		/// Emits [`Event::MeterInstalled`].
		///
		/// ## Complexity
		/// - O(M), M the caller's meters (bounded by [`Config::MaxMetersPerOwner`]).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::install_meter(T::MaxMetersPerOwner::get()))]
		pub fn install_meter(
			origin: OriginFor<T>,
			kind: MeterKind,
			zone: ZoneId,
			max_power: Power,
			device_key: MeterPublic,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_install(owner, kind, zone, max_power, device_key).map(|_| ())
		}

		/// Activates a meter after checking it: from now on its readings count. A certifier
		/// never activates its own meter, nor one the grid operators suspended.
		///
		/// Origin: [`Config::ActivateOrigin`]. Emits [`Event::MeterActivated`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::activate_meter())]
		pub fn activate_meter(origin: OriginFor<T>, meter: MeterId) -> DispatchResult {
			let by = T::ActivateOrigin::ensure_origin(origin)?;
			if by.is_some() {
				ensure!(
					!SuspendedByOperators::<T>::contains_key(meter),
					Error::<T>::SuspendedByOperators
				);
			}
			Self::set_status(meter, by.as_ref(), MeterStatus::Active, Error::<T>::AlreadyActive)?;
			SuspendedByOperators::<T>::remove(meter);
			Self::deposit_event(Event::MeterActivated { meter });
			Ok(())
		}

		/// Suspends a meter: its readings are refused until it is activated again (by the
		/// grid operators only, if they suspended it). A certifier never suspends its own.
		///
		/// Origin: [`Config::ActivateOrigin`]. Emits [`Event::MeterSuspended`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::suspend_meter())]
		pub fn suspend_meter(origin: OriginFor<T>, meter: MeterId) -> DispatchResult {
			let by = T::ActivateOrigin::ensure_origin(origin)?;
			Self::set_status(
				meter,
				by.as_ref(),
				MeterStatus::Suspended,
				Error::<T>::AlreadySuspended,
			)?;
			if by.is_none() {
				SuspendedByOperators::<T>::insert(meter, ());
			}
			Self::deposit_event(Event::MeterSuspended { meter });
			Ok(())
		}

		/// Replaces the device key of one of the caller's meters (e.g. after a device swap).
		///
		/// The meter goes back to `Installed` until it is activated again, so that readings
		/// signed by the new key count only once someone has checked the new device.
		///
		/// Emits [`Event::DeviceKeyRotated`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::rotate_device_key())]
		pub fn rotate_device_key(
			origin: OriginFor<T>,
			meter: MeterId,
			new_key: MeterPublic,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!DeviceKeys::<T>::contains_key(&new_key), Error::<T>::DeviceKeyInUse);
			let old_key = Meters::<T>::try_mutate(meter, |m| {
				let m = m.as_mut().ok_or(Error::<T>::UnknownMeter)?;
				ensure!(m.owner == who, Error::<T>::NotOwner);
				m.status = MeterStatus::Installed;
				Ok::<_, DispatchError>(core::mem::replace(&mut m.device_key, new_key.clone()))
			})?;
			DeviceKeys::<T>::remove(old_key);
			DeviceKeys::<T>::insert(new_key, meter);
			Self::deposit_event(Event::DeviceKeyRotated { meter });
			Ok(())
		}

		/// Removes one of the caller's meters, with its history and totals, and returns its
		/// deposit. Removing an account's last meter clears its preferences and priority.
		///
		/// Nobody leaves without paying: the meter stays while its owner owes the market
		/// arrears, while it has orders in intervals not yet settled, and until every interval
		/// up to its last reading is final (and so settled).
		///
		/// Emits [`Event::MeterRemoved`].
		///
		/// ## Complexity
		/// - O(M + H), M the caller's meters (bounded by [`Config::MaxMetersPerOwner`]), H the
		///   meter's history and totals (bounded by [`Config::HistoryMs`],
		///   [`Config::HistoryDays`] and [`Config::HistoryMonths`]).
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::remove_meter(Pallet::<T>::history_length())
			.saturating_add(<T::Market as MarketStanding<T::AccountId>>::weight().saturating_mul(2)))]
		pub fn remove_meter(origin: OriginFor<T>, meter: MeterId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let m = Meters::<T>::get(meter).ok_or(Error::<T>::UnknownMeter)?;
			ensure!(m.owner == who, Error::<T>::NotOwner);
			ensure!(!T::Market::in_arrears(&who), Error::<T>::OwnerInArrears);
			ensure!(!T::Market::has_positions(meter), Error::<T>::OpenPositions);
			ensure!(
				m.readings.last.is_none_or(|last| last.interval <= m.readings.finalized),
				Error::<T>::UnsettledIntervals
			);

			T::Currency::release(
				&HoldReason::MeterDeposit.into(),
				&who,
				m.deposit,
				Precision::BestEffort,
			)?;
			let last = MetersOf::<T>::mutate_exists(&who, |ids| {
				let list = ids.as_mut()?;
				list.retain(|id| *id != meter);
				list.is_empty().then(|| *ids = None)
			});
			if last.is_some() {
				// Preferences and priorities belong to accounts with a meter.
				Preferences::<T>::remove(&who);
				Priorities::<T>::remove(&who);
			}
			DeviceKeys::<T>::remove(&m.device_key);
			Meters::<T>::remove(meter);
			SuspendedByOperators::<T>::remove(meter);
			let _ = History::<T>::clear_prefix(meter, Self::history_length(), None);
			let _ = DayTotals::<T>::clear_prefix(meter, T::HistoryDays::get(), None);
			let _ = MonthTotals::<T>::clear_prefix(meter, T::HistoryMonths::get(), None);
			Profiles::<T>::remove(meter);
			Self::deposit_event(Event::MeterRemoved { meter, owner: who });
			Ok(())
		}

		/// Records a meter's reading, signed by its device key. Submitted as a general
		/// transaction without a signer and without fees: the transaction pool checks it
		/// (`#[pallet::authorize]`) and refuses it with the [`ReadingError`](daeg_primitives::consumption::ReadingError) code of the first
		/// check it fails; at most one reading per meter and interval enters the pool.
		///
		/// The reading's energy since the meter's last reading becomes the interval's record:
		/// measured after one interval; after a gap, spread over the gap's open intervals
		/// (evenly up to two hours, by the meter's profile beyond), minus what final
		/// substitutes already count. Energy above the connection's capacity over the time covered, or far
		/// above the meter's trend (and above what its unit was dispatched to do, see
		/// [`Config::Dispatched`]), is stored but flagged; [`Config::MaxAnomalyStrikes`]
		/// suspend the meter.
		///
		/// Emits [`Event::MeterBaseline`] for a meter's first reading, otherwise
		/// [`Event::IntervalRecorded`] per interval written, [`Event::GapFilled`] and
		/// [`Event::ReadingAnomaly`] / [`Event::MeterSuspendedForAnomalies`] as they apply.
		///
		/// ## Complexity
		/// - O(G), G the open intervals of a gap (at most [`Pallet::max_spread`]); weight is
		///   refunded to what was written.
		#[pallet::call_index(5)]
		#[pallet::weight(Pallet::<T>::max_reading_weight())]
		#[pallet::authorize(Pallet::<T>::reading_validity)]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_submit_reading())]
		pub fn submit_reading(
			origin: OriginFor<T>,
			reading: Reading,
			signature: MeterSignature,
		) -> DispatchResultWithPostInfo {
			ensure_authorized(origin)?;
			// The signature was checked by `authorize` when the transaction was applied.
			let _ = signature;
			let mut checked =
				Self::check_reading(&reading, None, true).map_err(Error::<T>::from)?;
			let used = Self::record_reading(reading.meter, &mut checked.meter, &reading);
			Meters::<T>::insert(reading.meter, checked.meter);
			Ok(Some(used).into())
		}

		/// Records a batch of readings, each signed by its own meter's device key: how a node
		/// that relays many meters (its offchain worker) submits them, paying a transaction's
		/// base cost once per batch instead of once per reading.
		///
		/// Each reading is checked as in [`Pallet::submit_reading`], and the pool refuses the
		/// whole batch with the code of the first reading that fails. A batch holds at most
		/// one reading per meter, each exactly one interval after its meter's last (or its
		/// first): readings after a gap go one by one through [`Pallet::submit_reading`].
		///
		/// Emits what [`Pallet::submit_reading`] emits, per reading.
		///
		/// ## Complexity
		/// - O(N), N the readings (bounded by [`Config::MaxReadingsPerBatch`]).
		#[pallet::call_index(6)]
		#[pallet::weight(Pallet::<T>::batch_weight(readings.len() as u32))]
		#[pallet::authorize(Pallet::<T>::batch_validity)]
		#[pallet::weight_of_authorize(
			T::WeightInfo::authorize_submit_readings(readings.len() as u32)
		)]
		pub fn submit_readings(
			origin: OriginFor<T>,
			readings: ReadingBatchOf<T>,
		) -> DispatchResult {
			ensure_authorized(origin)?;
			for (reading, _) in readings {
				// The signatures were checked by `authorize` when the transaction was applied.
				let mut checked =
					Self::check_batched(&reading, None, true).map_err(Error::<T>::from)?;
				Self::record_reading(reading.meter, &mut checked.meter, &reading);
				Meters::<T>::insert(reading.meter, checked.meter);
			}
			Ok(())
		}

		/// Sets the caller's market preferences: the most it pays per kWh, whether it buys
		/// only renewable energy, and the load it offers for demand response. The caller must
		/// own a meter.
		///
		/// Emits [`Event::PreferencesSet`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::set_preferences())]
		pub fn set_preferences(
			origin: OriginFor<T>,
			preferences: ConsumerPreferences,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(MetersOf::<T>::contains_key(&who), Error::<T>::NoMeter);
			ensure!(preferences.max_price.is_none_or(|p| !p.is_zero()), Error::<T>::ZeroMaxPrice);
			let flexible_ok = preferences
				.flexible_load
				.is_none_or(|f| !f.power.is_zero() && (1..=24).contains(&f.max_hours_per_day));
			ensure!(flexible_ok, Error::<T>::BadFlexibleLoad);
			Preferences::<T>::insert(&who, preferences);
			Self::deposit_event(Event::PreferencesSet { who, preferences });
			Ok(())
		}

		/// Clears the caller's market preferences.
		///
		/// Emits [`Event::PreferencesCleared`].
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::clear_preferences())]
		pub fn clear_preferences(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Preferences::<T>::take(&who).ok_or(Error::<T>::NoPreferences)?;
			Self::deposit_event(Event::PreferencesCleared { who });
			Ok(())
		}

		/// Assigns `who` (an account that owns a meter) a priority class for load shedding:
		/// critical loads are shed last.
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::PriorityClassSet`].
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::set_priority_class())]
		pub fn set_priority_class(
			origin: OriginFor<T>,
			who: T::AccountId,
			class: PriorityClass,
		) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			ensure!(MetersOf::<T>::contains_key(&who), Error::<T>::NoMeter);
			ensure!(Self::priority(&who) != class, Error::<T>::SamePriorityClass);
			if class == PriorityClass::default() {
				Priorities::<T>::remove(&who);
			} else {
				Priorities::<T>::insert(&who, class);
			}
			Self::deposit_event(Event::PriorityClassSet { who, class });
			Ok(())
		}

		/// Sets the carbon intensity of a source's energy, or with `source` `None` of the
		/// residual mix (energy consumed but not bought in the market).
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::CarbonIntensitySet`].
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::set_carbon_intensity())]
		pub fn set_carbon_intensity(
			origin: OriginFor<T>,
			source: Option<EnergySource>,
			intensity: CarbonIntensity,
		) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			match source {
				Some(s) => SourceIntensities::<T>::insert(s, intensity),
				None => ResidualIntensity::<T>::put(intensity),
			}
			Self::deposit_event(Event::CarbonIntensitySet { source, intensity });
			Ok(())
		}

		/// Records the exchange of a meter's device (or a register that rolled over): the old
		/// device's last registers `old_final` (import, export) and the new device's
		/// `new_baseline`, from which its readings go on. The energy between the meter's last
		/// reading and `old_final` is recorded like a reading for the interval just ended, with
		/// a reading's checks (not less than the last registers, within what the connection
		/// carries); nothing is lost or counted twice, and the meter is no longer bricked by
		/// registers lower than its last. Record it while the meter is active, before its owner
		/// rotates the device key.
		///
		/// Origin: [`Config::ActivateOrigin`] (a certifier, never for its own meter, or the
		/// grid operators). Emits [`Event::MeterExchanged`] and what a reading emits.
		///
		/// ## Complexity
		/// - O(G), G the open intervals since the last reading (at most
		///   [`Pallet::max_spread`]).
		#[pallet::call_index(11)]
		#[pallet::weight(Pallet::<T>::exchange_weight())]
		pub fn record_exchange(
			origin: OriginFor<T>,
			meter: MeterId,
			old_final: (Energy, Energy),
			new_baseline: (Energy, Energy),
		) -> DispatchResult {
			let by = T::ActivateOrigin::ensure_origin(origin)?;
			let m = Meters::<T>::get(meter).ok_or(Error::<T>::UnknownMeter)?;
			ensure!(by.as_ref() != Some(&m.owner), Error::<T>::OwnMeter);
			let last = m.readings.last.ok_or(Error::<T>::NoReading)?;
			let mut m = m;
			if old_final != (last.imported, last.exported) {
				let closing = T::Grid::current_interval().saturating_sub(1);
				let length = T::Grid::interval_length_ms();
				let reading = Reading {
					meter,
					interval: closing,
					imported: old_final.0,
					exported: old_final.1,
					measured_at: closing.end_ms(length).unwrap_or_default(),
					counter: m.readings.counter.saturating_add(1),
				};
				m = Self::check_reading(&reading, None, true).map_err(Error::<T>::from)?.meter;
				Self::record_reading(meter, &mut m, &reading);
			}
			if let Some(last) = m.readings.last.as_mut() {
				(last.imported, last.exported) = new_baseline;
			}
			Meters::<T>::insert(meter, m);
			Self::deposit_event(Event::MeterExchanged { meter, old_final, new_baseline });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Installs a meter for `owner` (see [`Pallet::install_meter`]), returning its id.
		pub(crate) fn do_install(
			owner: T::AccountId,
			kind: MeterKind,
			zone: ZoneId,
			max_power: Power,
			device_key: MeterPublic,
		) -> Result<MeterId, DispatchError> {
			ensure!(T::Grid::is_zone(zone), Error::<T>::UnknownZone);
			ensure!(!max_power.is_zero(), Error::<T>::ZeroMaxPower);
			ensure!(!DeviceKeys::<T>::contains_key(&device_key), Error::<T>::DeviceKeyInUse);

			let meter = NextMeterId::<T>::get();
			let next = meter.next().ok_or(Error::<T>::MeterIdsExhausted)?;
			MetersOf::<T>::try_mutate(&owner, |ids| ids.try_push(meter))
				.map_err(|_| Error::<T>::TooManyMeters)?;

			let deposit = T::MeterDeposit::get();
			T::Currency::hold(&HoldReason::MeterDeposit.into(), &owner, deposit)
				.map_err(|_| Error::<T>::InsufficientBalance)?;

			Meters::<T>::insert(
				meter,
				Meter {
					owner: owner.clone(),
					kind,
					zone,
					max_power,
					device_key: device_key.clone(),
					status: MeterStatus::Installed,
					deposit,
					installed_at: frame_system::Pallet::<T>::block_number(),
					readings: ReadingState::default(),
				},
			);
			DeviceKeys::<T>::insert(device_key, meter);
			NextMeterId::<T>::put(next);
			Self::deposit_event(Event::MeterInstalled { meter, owner, kind, zone });
			Ok(meter)
		}

		/// Moves `meter` to `status` for `certifier` (`None`: the operators), failing with
		/// `unchanged` if it is there already, or if it is the certifier's own meter.
		fn set_status(
			meter: MeterId,
			certifier: Option<&T::AccountId>,
			status: MeterStatus,
			unchanged: Error<T>,
		) -> DispatchResult {
			Meters::<T>::try_mutate(meter, |m| {
				let m = m.as_mut().ok_or(Error::<T>::UnknownMeter)?;
				ensure!(certifier != Some(&m.owner), Error::<T>::OwnMeter);
				ensure!(m.status != status, unchanged);
				m.status = status;
				if status == MeterStatus::Active {
					// Activation is a fresh check of the meter: past strikes are forgiven.
					m.readings.strikes = 0;
				}
				Ok(())
			})
		}

		/// Checks the registry's invariants: every meter is listed under its owner, every
		/// device key points at its meter, ids are below the next id, and each owner's held
		/// deposit covers their meters' deposits; the readings': a meter has a last reading
		/// exactly when its counter moved, every history record sits in its interval's slot of
		/// a registered meter (so no interval is stored twice) and lies no later than the
		/// meter's last reading unless it is a substitute for an overdue interval; the final
		/// values': what final substitutes after the last reading hold is what the next reading
		/// will subtract, and totals sit in their slots; and profiles belong to meter owners.
		#[cfg(any(feature = "try-runtime", feature = "std", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::vec::Vec;
			use frame_support::traits::fungible::InspectHold;
			use sp_runtime::traits::{Saturating, Zero};

			let next = NextMeterId::<T>::get();
			let mut meters = 0usize;
			for (id, m) in Meters::<T>::iter() {
				meters = meters.saturating_add(1);
				ensure!(id < next, "a meter id is not below the next id");
				ensure!(
					MetersOf::<T>::get(&m.owner).contains(&id),
					"a meter is missing from its owner's list"
				);
				ensure!(
					DeviceKeys::<T>::get(&m.device_key) == Some(id),
					"a meter's device key does not point back at it"
				);
			}
			// Substitutes may run ahead of the last reading, up to the last overdue interval.
			let overdue = T::Grid::current_interval().saturating_sub(2);
			for (id, slot, record) in History::<T>::iter() {
				let m = Meters::<T>::get(id).ok_or("history of an unknown meter")?;
				ensure!(
					record.interval.0.checked_rem(Self::history_length()) == Some(slot),
					"a history record is outside its interval's slot"
				);
				let last = m.readings.last.ok_or("history without a reading")?;
				ensure!(
					record.interval <= last.interval
						|| (record.quality == Quality::Substituted && record.interval <= overdue),
					"a record after the last reading that is not a substitute"
				);
			}
			for (id, m) in Meters::<T>::iter() {
				ensure!(
					(m.readings.counter == 0) == m.readings.last.is_none(),
					"a meter's counter and last reading disagree"
				);
				let Some(last) = m.readings.last else { continue };
				// Final values after the last reading are exactly what the next reading
				// subtracts, so that no energy is counted twice or lost.
				let mut settled = (Energy::ZERO, Energy::ZERO);
				let mut t = last.interval;
				while t < m.readings.finalized {
					t = t.checked_add(1).ok_or("interval overflow")?;
					if let Some(r) = Self::record(id, t) {
						settled = (
							settled.0.saturating_add(r.imported),
							settled.1.saturating_add(r.exported),
						);
					}
				}
				ensure!(
					settled == m.readings.final_after_last,
					"final energy after the last reading is not what its substitutes hold"
				);
			}
			for (id, slot, (day, _)) in DayTotals::<T>::iter() {
				ensure!(Meters::<T>::contains_key(id), "day totals of an unknown meter");
				ensure!(Self::day_slot(day) == slot, "day totals outside their slot");
			}
			for (id, slot, (month, _)) in MonthTotals::<T>::iter() {
				ensure!(Meters::<T>::contains_key(id), "month totals of an unknown meter");
				ensure!(Self::month_slot(month) == slot, "month totals outside their slot");
			}
			for id in SuspendedByOperators::<T>::iter_keys() {
				ensure!(
					Meters::<T>::get(id).is_some_and(|m| m.status != MeterStatus::Active),
					"a meter the operators suspended is active without them"
				);
			}
			for who in Preferences::<T>::iter_keys().chain(Priorities::<T>::iter_keys()) {
				ensure!(
					MetersOf::<T>::contains_key(&who),
					"a profile of an account without a meter"
				);
			}
			let listed: usize = MetersOf::<T>::iter_values().map(|v| v.len()).sum();
			ensure!(listed == meters, "owners' lists and meters differ");
			ensure!(DeviceKeys::<T>::iter().count() == meters, "device keys and meters differ");

			let mut owners: Vec<T::AccountId> = MetersOf::<T>::iter_keys().collect();
			owners.sort();
			for owner in owners {
				let mut owed = BalanceOf::<T>::zero();
				for id in MetersOf::<T>::get(&owner) {
					let m = Meters::<T>::get(id).ok_or("an owner lists an unknown meter")?;
					owed = owed.saturating_add(m.deposit);
				}
				let held = T::Currency::balance_on_hold(&HoldReason::MeterDeposit.into(), &owner);
				ensure!(held >= owed, "an owner's held deposit does not cover their meters");
			}
			Ok(())
		}
	}
}

impl<T: Config> ConsumerProfiles<T::AccountId> for Pallet<T> {
	fn preferences(who: &T::AccountId) -> ConsumerPreferences {
		Preferences::<T>::get(who).unwrap_or_default()
	}

	fn priority(who: &T::AccountId) -> PriorityClass {
		Priorities::<T>::get(who).unwrap_or_default()
	}
}

impl<T: Config> MeterRegistry<T::AccountId> for Pallet<T> {
	fn meter(id: MeterId) -> Option<MeterInfo<T::AccountId>> {
		Meters::<T>::get(id).map(|m| MeterInfo {
			owner: m.owner,
			kind: m.kind,
			zone: m.zone,
			max_power: m.max_power,
			status: m.status,
		})
	}
}
