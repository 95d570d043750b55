//! # Balancing pallet: keeping each zone's supply and demand in balance
//!
//! The design is in `docs/balancing.md`.
//!
//! - **Zones** are the grid pallet's ([`daeg_primitives::Grid`]): each zone's feeder capacity,
//!   the share of it at which demand response starts, and, for a microgrid, its parent zone.
//! - **Storage**: providers register units (capacity, charge and discharge power, efficiency,
//!   meter). When the market clears an interval it tells this pallet each zone's result
//!   ([`OnCleared`]); the pallet covers each zone's forecast imbalance and peak with storage
//!   ([`dispatch`]), then demand response, then the links' room left to neighbours, reports
//!   what remains, and hands the market the storage dispatch, which settlement pays against the
//!   unit's meter. Each unit's state of charge follows what its meter measured.
//! - **Demand response**: one program per zone (governance sets its price); consumers enroll a
//!   meter with their flexible load. Events are called automatically at peaks and shortfalls,
//!   or by the operators; reductions are verified against each participant's baseline and
//!   rewarded from the market's pot (the `demand` module).
//! - **Emergencies** (the grid operators' multisig): declare and end, halt and resume a zone's
//!   market (its consumers then pay the emergency tariff), island and reconnect a microgrid,
//!   shed load by priority class, force storage to discharge, cap prices.
//! - **Circuit breakers** halt a zone's market when its price sits at the cap, its imbalance
//!   is too large, or too many of its meters are anomalous; only the operators resume it.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod demand;
pub mod dispatch;
mod metered;
#[cfg(test)]
mod mock;
pub mod peak;
mod queries;
mod schedule;
#[cfg(test)]
mod tests;
pub mod weights;

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use daeg_primitives::{
	consumption::FlexibleLoad, DayIndex, Energy, GridClock, MeterId, Power, ZoneId,
};
use dispatch::UnitState;
use frame_support::{traits::Get, BoundedVec};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

daeg_primitives::stored_type!(
	[Copy]
	/// What a provider registers of a storage unit.
	pub struct UnitSpec {
		/// The bidirectional meter that measures it (the provider's, active); its zone is the
		/// unit's.
		pub meter: MeterId,
		/// The most energy it stores.
		pub capacity: Energy,
		/// The most power it draws when charging.
		pub max_charge: Power,
		/// The most power it delivers when discharging.
		pub max_discharge: Power,
		/// Its round-trip efficiency: the share of energy drawn that it gives back.
		pub efficiency: Perbill,
		/// What it stores now.
		pub charge: Energy,
	}
);

daeg_primitives::stored_type!(
	[]
	/// A registered storage unit.
	pub struct StorageUnit<AccountId> {
		/// Who provides it: paid for what it delivers, pays for what it draws.
		pub owner: AccountId,
		/// Its zone (its meter's).
		pub zone: ZoneId,
		/// Its registration.
		pub spec: UnitSpec,
	}
);

impl<AccountId> StorageUnit<AccountId> {
	/// What dispatch needs of it: the charge is its expected state of charge (what was
	/// measured, and what is scheduled since).
	pub fn state(&self) -> UnitState {
		UnitState {
			capacity: self.spec.capacity,
			charge: self.spec.charge,
			max_charge: self.spec.max_charge,
			max_discharge: self.spec.max_discharge,
			efficiency: self.spec.efficiency,
		}
	}
}

daeg_primitives::stored_type!(
	[]
	/// A consumer's meter enrolled in its zone's demand-response program.
	#[scale_info(skip_type_params(MaxBaseline))]
	#[codec(mel_bound(AccountId: MaxEncodedLen))]
	pub struct Enrollment<AccountId, MaxBaseline: Get<u32>> {
		/// Who is rewarded.
		pub owner: AccountId,
		/// The meter's zone (the program's).
		pub zone: ZoneId,
		/// The load it offers and for how many hours a day.
		pub flexible: FlexibleLoad,
		/// The day and how many of its intervals it was called for.
		pub called: (DayIndex, u32),
		/// Its latest measured imports in intervals without an event, oldest first: the baseline.
		pub recent: BoundedVec<Energy, MaxBaseline>,
	}
);

/// An enrollment as this pallet's configuration stores it.
pub type EnrollmentOf<T> =
	Enrollment<<T as frame_system::Config>::AccountId, <T as Config>::BaselineIntervals>;

daeg_primitives::stored_type!(
	[Copy]
	/// Why a participant's reduction was not rewarded.
	pub enum Unverified {
		/// Its meter has too few measured intervals without an event for a baseline.
		NoBaseline,
		/// The interval's value was estimated, not measured.
		NotMeasured,
		/// Its import did not drop below its baseline.
		NoReduction,
	}
);

/// What the benchmarks need from the runtime: meters to register units and enroll.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// An active meter of `owner`'s in `zone` of `kind`.
	fn meter(
		owner: &AccountId,
		kind: daeg_primitives::consumption::MeterKind,
		zone: ZoneId,
	) -> MeterId;
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use daeg_primitives::{
		balancing::{
			Action, BreakerSettings, DemandEvent, DemandTrigger, GridControl, Halt, MarketFund,
			ZoneMarket, ZoneReport, ZoneStatus,
		},
		consumption::{ConsumerProfiles, MeterRegistry, PriorityClass},
		Grid, IntervalIndex, Money, PricePerKWh, UnitId,
	};
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the balancing pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The meter registry (the consumption pallet).
		type Meters: MeterRegistry<Self::AccountId>;

		/// Consumers' priority classes, for shedding load (the consumption pallet).
		type Consumers: ConsumerProfiles<Self::AccountId>;

		/// The grid: its zones, their limits and its clock (the grid pallet).
		type Grid: Grid;

		/// Where demand-response rewards are paid from (the market's pot).
		type Fund: MarketFund<Self::AccountId>;

		/// The grid operators (their multisig, or Root): zones, programs, breakers and every
		/// emergency call.
		type OperatorOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The most storage units in one zone.
		#[pallet::constant]
		type MaxUnitsPerZone: Get<u32>;

		/// The most meters enrolled in one zone's demand-response program.
		#[pallet::constant]
		type MaxParticipants: Get<u32>;

		/// How many event-free measured intervals make a participant's baseline.
		#[pallet::constant]
		type BaselineIntervals: Get<u32>;

		/// How many intervals of reports, schedules and demand-response events are kept (a
		/// ring; at least the intervals between clearing and a meter's final value).
		#[pallet::constant]
		type HistoryIntervals: Get<u32>;

		/// The most intervals one operators' demand-response call covers.
		#[pallet::constant]
		type MaxEventIntervals: Get<u32>;

		/// Meters for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type Helper: BenchmarkHelper<Self::AccountId>;

		/// Weights of this pallet's calls and hooks, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Each zone's emergency state.
	#[pallet::storage]
	pub type Status<T> = StorageMap<_, Twox64Concat, ZoneId, ZoneStatus, ValueQuery>;

	/// What consumers of a zone whose market is halted pay per kWh.
	#[pallet::storage]
	pub type EmergencyTariff<T> = StorageValue<_, PricePerKWh, ValueQuery>;

	/// When the circuit breakers trip.
	#[pallet::storage]
	pub type Breakers<T> = StorageValue<_, BreakerSettings, ValueQuery>;

	/// The registered storage units.
	#[pallet::storage]
	pub type Units<T: Config> = StorageMap<_, Twox64Concat, UnitId, StorageUnit<T::AccountId>>;

	/// The id the next unit gets.
	#[pallet::storage]
	pub type NextUnitId<T> = StorageValue<_, UnitId, ValueQuery>;

	/// Each zone's units, in the order they are dispatched.
	#[pallet::storage]
	pub type ZoneUnits<T: Config> =
		StorageMap<_, Twox64Concat, ZoneId, BoundedVec<UnitId, T::MaxUnitsPerZone>, ValueQuery>;

	/// The unit each storage meter measures.
	#[pallet::storage]
	pub type UnitOfMeter<T> = StorageMap<_, Twox64Concat, MeterId, UnitId>;

	/// Each unit's schedule per interval until its meter's value is final: a ring of
	/// [`Config::HistoryIntervals`] slots.
	#[pallet::storage]
	pub type Schedules<T> =
		StorageDoubleMap<_, Twox64Concat, UnitId, Twox64Concat, u32, (IntervalIndex, Action)>;

	/// Each zone's balance per interval: a ring of [`Config::HistoryIntervals`] slots.
	#[pallet::storage]
	pub type Reports<T> =
		StorageDoubleMap<_, Twox64Concat, ZoneId, Twox64Concat, u32, (IntervalIndex, ZoneReport)>;

	/// Each zone's imports metered in the latest interval, by priority class (in
	/// [`PriorityClass`] order), and in the one before: what shedding a class relieves.
	#[pallet::storage]
	pub type ClassLoads<T> =
		StorageMap<_, Twox64Concat, ZoneId, (IntervalIndex, [Energy; 4], [Energy; 4])>;

	/// The price per kWh of verified reduction of each zone's demand-response program.
	#[pallet::storage]
	pub type Programs<T> = StorageMap<_, Twox64Concat, ZoneId, PricePerKWh>;

	/// Meters enrolled in their zone's program.
	#[pallet::storage]
	pub type Enrollments<T: Config> = StorageMap<_, Twox64Concat, MeterId, EnrollmentOf<T>>;

	/// Each zone's enrolled meters, in the order they are called.
	#[pallet::storage]
	pub type Participants<T: Config> =
		StorageMap<_, Twox64Concat, ZoneId, BoundedVec<MeterId, T::MaxParticipants>, ValueQuery>;

	/// Each zone's demand-response event per interval: a ring of [`Config::HistoryIntervals`] slots.
	#[pallet::storage]
	pub type DemandEvents<T> =
		StorageDoubleMap<_, Twox64Concat, ZoneId, Twox64Concat, u32, (IntervalIndex, DemandEvent)>;

	/// The intervals each meter was called for: a ring of [`Config::HistoryIntervals`] slots.
	#[pallet::storage]
	pub type Called<T> =
		StorageDoubleMap<_, Twox64Concat, MeterId, Twox64Concat, u32, IntervalIndex>;

	/// The balancing pallet's genesis: the emergency tariff, breakers and programs.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// What consumers of a halted zone pay per kWh.
		pub emergency_tariff: PricePerKWh,
		/// When the circuit breakers trip.
		pub breakers: BreakerSettings,
		/// Demand-response programs: zone and price per kWh reduced.
		pub programs: alloc::vec::Vec<(ZoneId, PricePerKWh)>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (zone, price) in &self.programs {
				assert!(T::Grid::is_zone(*zone), "programs are for the grid's zones");
				Programs::<T>::insert(zone, price);
			}
			EmergencyTariff::<T>::put(self.emergency_tariff);
			Breakers::<T>::put(self.breakers);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A storage unit was registered.
		UnitRegistered { unit: UnitId, owner: T::AccountId, zone: ZoneId, spec: UnitSpec },
		/// A storage unit was deregistered.
		UnitDeregistered { unit: UnitId },
		/// A unit is scheduled to charge or discharge in `interval`.
		Scheduled { interval: IntervalIndex, unit: UnitId, action: Action },
		/// A unit's meter value for `interval` is final: its state of charge follows what it
		/// measured rather than what was `scheduled`.
		ChargeMeasured {
			interval: IntervalIndex,
			unit: UnitId,
			scheduled: Action,
			imported: Energy,
			exported: Energy,
			charge: Energy,
		},
		/// A zone's balance for `interval` once the market cleared it.
		ZoneBalanced { interval: IntervalIndex, zone: ZoneId, report: ZoneReport },
		/// Governance set a zone's demand-response program (`None`: closed it).
		ProgramSet { zone: ZoneId, price: Option<PricePerKWh> },
		/// A meter was enrolled in its zone's program.
		Enrolled { meter: MeterId, who: T::AccountId, zone: ZoneId, flexible: FlexibleLoad },
		/// A meter left its zone's program.
		Left { meter: MeterId },
		/// A demand-response event: `participants` meters are asked to reduce in `interval`.
		DemandResponseCalled {
			interval: IntervalIndex,
			zone: ZoneId,
			event: DemandEvent,
			participants: u32,
		},
		/// A participant's reduction was verified against its baseline and rewarded.
		ReductionVerified {
			interval: IntervalIndex,
			meter: MeterId,
			who: T::AccountId,
			baseline: Energy,
			metered: Energy,
			reduction: Energy,
			reward: Money,
		},
		/// A participant's reduction could not be verified: nothing is paid.
		ReductionUnverified {
			interval: IntervalIndex,
			meter: MeterId,
			who: T::AccountId,
			reason: Unverified,
		},
		/// The operators declared an emergency in a zone.
		EmergencyDeclared { zone: ZoneId },
		/// The operators ended a zone's emergency: load is restored, storage released.
		EmergencyEnded { zone: ZoneId },
		/// A zone's market was halted: its consumers pay the emergency tariff.
		MarketHalted { zone: ZoneId, by: Halt },
		/// The operators resumed a zone's market.
		MarketResumed { zone: ZoneId },
		/// A microgrid was islanded: its market clears alone.
		Islanded { zone: ZoneId },
		/// A microgrid was reconnected to its neighbours.
		Reconnected { zone: ZoneId },
		/// Load of the zone's classes up to `up_to` (least critical first) is to be shed:
		/// about `load` an interval, by the latest metered imports.
		LoadShed { zone: ZoneId, up_to: PriorityClass, load: Energy },
		/// The zone's storage is to discharge as far as it can until the emergency ends.
		StorageForced { zone: ZoneId },
		/// The operators set a zone's emergency price cap (`None`: removed it).
		PriceCapSet { zone: ZoneId, cap: Option<PricePerKWh> },
		/// Governance set the emergency tariff.
		EmergencyTariffSet { tariff: PricePerKWh },
		/// Governance set when the circuit breakers trip.
		BreakersSet { settings: BreakerSettings },
		/// A circuit breaker tripped and halted a zone's market.
		BreakerTripped {
			zone: ZoneId,
			interval: IntervalIndex,
			breaker: daeg_primitives::balancing::Breaker,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The grid has no such zone.
		UnknownZone,
		/// No meter has this id.
		UnknownMeter,
		/// The meter belongs to someone else.
		NotMeterOwner,
		/// The meter is not active.
		MeterInactive,
		/// Storage needs a meter that measures both import and export.
		MeterNotBidirectional,
		/// Demand response needs a meter that measures import.
		MeterCannotImport,
		/// The meter already measures a unit or is enrolled.
		MeterInUse,
		/// A unit needs capacity, power both ways and an efficiency above zero.
		BadUnit,
		/// A unit cannot store more than its capacity.
		ChargeAboveCapacity,
		/// The zone has as many units as it may.
		TooManyUnits,
		/// Unit ids are used up.
		NoUnitIds,
		/// No unit has this id.
		UnknownUnit,
		/// The unit belongs to someone else.
		NotUnitOwner,
		/// The zone has no demand-response program.
		NoProgram,
		/// Flexible load must be above zero, within the connection, for 1 to 24 hours a day.
		BadFlexibleLoad,
		/// The zone's program has as many participants as it may.
		TooManyParticipants,
		/// The meter is not enrolled.
		NotEnrolled,
		/// An event must request a reduction, for 1 to [`Config::MaxEventIntervals`]
		/// intervals that have not started.
		BadEvent,
		/// The zone has no declared emergency.
		NoEmergency,
		/// The zone has a declared emergency already.
		AlreadyEmergency,
		/// Only a microgrid (a zone with a parent) can be islanded.
		NotMicrogrid,
		/// The zone is islanded: reconnect it first.
		Islanded,
		/// The zone is not islanded.
		NotIslanded,
		/// The zone's market is halted already.
		AlreadyHalted,
		/// The zone's market is not halted.
		NotHalted,
		/// Shedding needs an energy to relieve.
		NothingToShed,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// The rings must span the intervals between clearing and final values.
		fn integrity_test() {
			assert!(T::HistoryIntervals::get() > 0, "the rings need a slot");
			assert!(T::BaselineIntervals::get() > 0, "a baseline needs an interval");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers a storage unit measured by `spec.meter` (one of the caller's active
		/// bidirectional meters), in that meter's zone.
		///
		/// Emits [`Event::UnitRegistered`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::register_unit())]
		pub fn register_unit(origin: OriginFor<T>, spec: UnitSpec) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			let m = T::Meters::meter(spec.meter).ok_or(Error::<T>::UnknownMeter)?;
			ensure!(m.owner == owner, Error::<T>::NotMeterOwner);
			ensure!(m.is_active(), Error::<T>::MeterInactive);
			ensure!(
				m.kind.measures_import() && m.kind.measures_export(),
				Error::<T>::MeterNotBidirectional
			);
			ensure!(!Self::meter_in_use(spec.meter), Error::<T>::MeterInUse);
			let powered = !spec.max_charge.0.eq(&0) && !spec.max_discharge.0.eq(&0);
			ensure!(
				!spec.capacity.is_zero() && powered && !spec.efficiency.is_zero(),
				Error::<T>::BadUnit
			);
			ensure!(spec.charge <= spec.capacity, Error::<T>::ChargeAboveCapacity);
			let unit = NextUnitId::<T>::get();
			let next = unit.next().ok_or(Error::<T>::NoUnitIds)?;
			ZoneUnits::<T>::try_mutate(m.zone, |units| units.try_push(unit))
				.map_err(|_| Error::<T>::TooManyUnits)?;
			NextUnitId::<T>::put(next);
			UnitOfMeter::<T>::insert(spec.meter, unit);
			Units::<T>::insert(unit, StorageUnit { owner: owner.clone(), zone: m.zone, spec });
			Self::deposit_event(Event::UnitRegistered { unit, owner, zone: m.zone, spec });
			Ok(())
		}

		/// Deregisters one of the caller's units: it is no longer scheduled (what is scheduled
		/// already is still settled against its meter).
		///
		/// Emits [`Event::UnitDeregistered`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::deregister_unit())]
		pub fn deregister_unit(origin: OriginFor<T>, unit: UnitId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let u = Units::<T>::get(unit).ok_or(Error::<T>::UnknownUnit)?;
			ensure!(u.owner == who, Error::<T>::NotUnitOwner);
			Units::<T>::remove(unit);
			UnitOfMeter::<T>::remove(u.spec.meter);
			ZoneUnits::<T>::mutate(u.zone, |units| units.retain(|x| *x != unit));
			let _ = Schedules::<T>::clear_prefix(unit, T::HistoryIntervals::get(), None);
			Self::deposit_event(Event::UnitDeregistered { unit });
			Ok(())
		}

		/// Sets the price per kWh of verified reduction of `zone`'s demand-response program
		/// (`None`: closes it; enrolled meters are no longer called).
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::ProgramSet`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_program())]
		pub fn set_program(
			origin: OriginFor<T>,
			zone: ZoneId,
			price: Option<PricePerKWh>,
		) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			ensure!(T::Grid::is_zone(zone), Error::<T>::UnknownZone);
			Programs::<T>::set(zone, price);
			Self::deposit_event(Event::ProgramSet { zone, price });
			Ok(())
		}

		/// Enrolls `meter` (one of the caller's active meters that measures import) in its
		/// zone's demand-response program, offering `flexible` load.
		///
		/// Emits [`Event::Enrolled`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::enroll())]
		pub fn enroll(
			origin: OriginFor<T>,
			meter: MeterId,
			flexible: FlexibleLoad,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let m = T::Meters::meter(meter).ok_or(Error::<T>::UnknownMeter)?;
			ensure!(m.owner == who, Error::<T>::NotMeterOwner);
			ensure!(m.is_active(), Error::<T>::MeterInactive);
			ensure!(m.kind.measures_import(), Error::<T>::MeterCannotImport);
			ensure!(!Self::meter_in_use(meter), Error::<T>::MeterInUse);
			ensure!(Programs::<T>::contains_key(m.zone), Error::<T>::NoProgram);
			ensure!(
				flexible.power.0 > 0
					&& flexible.power <= m.max_power
					&& (1..=24).contains(&flexible.max_hours_per_day),
				Error::<T>::BadFlexibleLoad
			);
			Participants::<T>::try_mutate(m.zone, |p| p.try_push(meter))
				.map_err(|_| Error::<T>::TooManyParticipants)?;
			Enrollments::<T>::insert(
				meter,
				Enrollment {
					owner: who.clone(),
					zone: m.zone,
					flexible,
					called: (DayIndex(0), 0),
					recent: BoundedVec::new(),
				},
			);
			Self::deposit_event(Event::Enrolled { meter, who, zone: m.zone, flexible });
			Ok(())
		}

		/// Takes one of the caller's meters out of its zone's program (reductions already
		/// called for are no longer verified).
		///
		/// Emits [`Event::Left`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::leave())]
		pub fn leave(origin: OriginFor<T>, meter: MeterId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let e = Enrollments::<T>::get(meter).ok_or(Error::<T>::NotEnrolled)?;
			ensure!(e.owner == who, Error::<T>::NotMeterOwner);
			Enrollments::<T>::remove(meter);
			Participants::<T>::mutate(e.zone, |p| p.retain(|m| *m != meter));
			let _ = Called::<T>::clear_prefix(meter, T::HistoryIntervals::get(), None);
			Self::deposit_event(Event::Left { meter });
			Ok(())
		}

		/// Calls a demand-response event in `zone` for `intervals` intervals from `from` (none
		/// started yet), requesting `reduction` in each.
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::DemandResponseCalled`] per
		/// interval with participants.
		///
		/// ## Complexity
		/// - O(i × p): i intervals, p the zone's participants.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::call_demand_response(*intervals, T::MaxParticipants::get()))]
		pub fn call_demand_response(
			origin: OriginFor<T>,
			zone: ZoneId,
			from: IntervalIndex,
			intervals: u32,
			reduction: Energy,
		) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			ensure!(T::Grid::is_zone(zone), Error::<T>::UnknownZone);
			ensure!(Programs::<T>::contains_key(zone), Error::<T>::NoProgram);
			ensure!(
				!reduction.is_zero()
					&& (1..=T::MaxEventIntervals::get()).contains(&intervals)
					&& from > T::Grid::current_interval(),
				Error::<T>::BadEvent
			);
			for k in 0..intervals {
				let interval = from.checked_add(k).ok_or(Error::<T>::BadEvent)?;
				Self::call_event(zone, interval, reduction, DemandTrigger::Operators);
			}
			Ok(())
		}

		/// Sets when the circuit breakers trip.
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::BreakersSet`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::set_breakers())]
		pub fn set_breakers(origin: OriginFor<T>, settings: BreakerSettings) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			Breakers::<T>::put(settings);
			Self::deposit_event(Event::BreakersSet { settings });
			Ok(())
		}

		/// Sets what consumers of a zone whose market is halted pay per kWh.
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::EmergencyTariffSet`].
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::set_emergency_tariff())]
		pub fn set_emergency_tariff(origin: OriginFor<T>, tariff: PricePerKWh) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			EmergencyTariff::<T>::put(tariff);
			Self::deposit_event(Event::EmergencyTariffSet { tariff });
			Ok(())
		}

		/// Declares an emergency in `zone`: the operators may then island it, shed its load
		/// and force its storage to discharge.
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::EmergencyDeclared`].
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::zone_status())]
		pub fn declare_emergency(origin: OriginFor<T>, zone: ZoneId) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			Self::update(zone, |s| {
				ensure!(!s.emergency, Error::<T>::AlreadyEmergency);
				s.emergency = true;
				Ok(Event::EmergencyDeclared { zone })
			})
		}

		/// Ends `zone`'s emergency: shed load is restored and storage is dispatched normally
		/// again. An islanded microgrid must be reconnected first; a halted market stays
		/// halted until resumed.
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::EmergencyEnded`].
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::zone_status())]
		pub fn end_emergency(origin: OriginFor<T>, zone: ZoneId) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			Self::update(zone, |s| {
				ensure!(s.emergency, Error::<T>::NoEmergency);
				ensure!(!s.islanded, Error::<T>::Islanded);
				s.emergency = false;
				s.shed = None;
				s.forced_discharge = false;
				Ok(Event::EmergencyEnded { zone })
			})
		}

		/// Halts `zone`'s market: from the next interval cleared its orders are left out of
		/// the auction and its consumers pay the emergency tariff.
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::MarketHalted`].
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::zone_status())]
		pub fn halt_market(origin: OriginFor<T>, zone: ZoneId) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			Self::update(zone, |s| {
				ensure!(s.halted.is_none(), Error::<T>::AlreadyHalted);
				s.halted = Some(Halt::Operators);
				Ok(Event::MarketHalted { zone, by: Halt::Operators })
			})
		}

		/// Resumes `zone`'s market, whoever halted it (the operators or a breaker).
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::MarketResumed`].
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::zone_status())]
		pub fn resume_market(origin: OriginFor<T>, zone: ZoneId) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			Self::update(zone, |s| {
				ensure!(s.halted.is_some(), Error::<T>::NotHalted);
				s.halted = None;
				s.at_cap = 0;
				Ok(Event::MarketResumed { zone })
			})
		}

		/// Islands microgrid `zone` during its emergency: its links are left out of the
		/// auction, so its market clears alone.
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::Islanded`].
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::zone_status())]
		pub fn island(origin: OriginFor<T>, zone: ZoneId) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			let microgrid = T::Grid::zone(zone).is_some_and(|s| s.parent.is_some());
			ensure!(microgrid, Error::<T>::NotMicrogrid);
			Self::update(zone, |s| {
				ensure!(s.emergency, Error::<T>::NoEmergency);
				ensure!(!s.islanded, Error::<T>::Islanded);
				s.islanded = true;
				Ok(Event::Islanded { zone })
			})
		}

		/// Reconnects islanded `zone` to its neighbours.
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::Reconnected`].
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::zone_status())]
		pub fn reconnect(origin: OriginFor<T>, zone: ZoneId) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			Self::update(zone, |s| {
				ensure!(s.islanded, Error::<T>::NotIslanded);
				s.islanded = false;
				Ok(Event::Reconnected { zone })
			})
		}

		/// Sheds load in `zone` during its emergency, least critical class first, until the
		/// classes shed carried at least `energy` in the latest metered interval (critical
		/// loads only if all others do not).
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::LoadShed`].
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::shed_load())]
		pub fn shed_load(origin: OriginFor<T>, zone: ZoneId, energy: Energy) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			ensure!(!energy.is_zero(), Error::<T>::NothingToShed);
			let (up_to, load) = Self::classes_to_shed(zone, energy);
			Self::update(zone, |s| {
				ensure!(s.emergency, Error::<T>::NoEmergency);
				s.shed = Some(up_to);
				Ok(Event::LoadShed { zone, up_to, load })
			})
		}

		/// Discharges `zone`'s storage as far as it can from the next interval cleared, until
		/// the emergency ends.
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::StorageForced`].
		#[pallet::call_index(16)]
		#[pallet::weight(T::WeightInfo::zone_status())]
		pub fn force_discharge(origin: OriginFor<T>, zone: ZoneId) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			Self::update(zone, |s| {
				ensure!(s.emergency, Error::<T>::NoEmergency);
				s.forced_discharge = true;
				Ok(Event::StorageForced { zone })
			})
		}

		/// Caps `zone`'s price and tariff (`None`: removes the cap), from the next interval
		/// cleared.
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::PriceCapSet`].
		#[pallet::call_index(17)]
		#[pallet::weight(T::WeightInfo::zone_status())]
		pub fn set_price_cap(
			origin: OriginFor<T>,
			zone: ZoneId,
			cap: Option<PricePerKWh>,
		) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			Self::update(zone, |s| {
				s.cap = cap;
				s.at_cap = 0;
				Ok(Event::PriceCapSet { zone, cap })
			})
		}
	}

	impl<T: Config> Pallet<T> {
		/// The slot of `interval` in the rings of [`Config::HistoryIntervals`] slots.
		pub(crate) fn slot(interval: IntervalIndex) -> u32 {
			daeg_primitives::ring::slot(interval.0, T::HistoryIntervals::get())
		}

		/// Whether `meter` measures a unit or is enrolled in a program.
		fn meter_in_use(meter: MeterId) -> bool {
			UnitOfMeter::<T>::contains_key(meter) || Enrollments::<T>::contains_key(meter)
		}

		/// Applies `change` to `zone`'s status and emits the event it returns, or fails with
		/// its error and changes nothing.
		fn update(
			zone: ZoneId,
			change: impl FnOnce(&mut ZoneStatus) -> Result<Event<T>, DispatchError>,
		) -> DispatchResult {
			ensure!(T::Grid::is_zone(zone), Error::<T>::UnknownZone);
			let mut status = Status::<T>::get(zone);
			let event = change(&mut status)?;
			Status::<T>::insert(zone, status);
			Self::deposit_event(event);
			Ok(())
		}

		/// The classes to shed in `zone`, least critical first, until they carried `energy`
		/// in the latest complete metered interval (or the one being metered, before any is
		/// complete); and what they carried.
		fn classes_to_shed(zone: ZoneId, energy: Energy) -> (PriorityClass, Energy) {
			let loads = ClassLoads::<T>::get(zone)
				.map(
					|(_, current, last)| {
						if last.iter().any(|e| !e.is_zero()) {
							last
						} else {
							current
						}
					},
				)
				.unwrap_or_default();
			let classes = [
				PriorityClass::Deferrable,
				PriorityClass::Standard,
				PriorityClass::Essential,
				PriorityClass::Critical,
			];
			let mut load = Energy::ZERO;
			for (class, carried) in classes.iter().zip(loads.iter()) {
				load = load.saturating_add(*carried);
				if load >= energy {
					return (*class, load);
				}
			}
			(PriorityClass::Critical, load)
		}

		/// Halts `zone`'s market because `breaker` tripped in `interval` (if it is not halted
		/// already). Returns whether it tripped.
		pub(crate) fn trip(
			zone: ZoneId,
			status: &mut ZoneStatus,
			interval: IntervalIndex,
			breaker: daeg_primitives::balancing::Breaker,
		) -> bool {
			if status.halted.is_some() {
				return false;
			}
			status.halted = Some(Halt::Breaker(breaker));
			Self::deposit_event(Event::BreakerTripped { zone, interval, breaker });
			Self::deposit_event(Event::MarketHalted { zone, by: Halt::Breaker(breaker) });
			true
		}

		/// Checks the pallet's invariants: every unit's state of charge is within zero and its
		/// capacity, and it is listed in its zone and by its meter; every participant is
		/// enrolled in its zone; no demand-response event paid more than its verified
		/// reduction is worth.
		#[cfg(any(feature = "try-runtime", feature = "std", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			for (id, unit) in Units::<T>::iter() {
				ensure!(unit.spec.charge <= unit.spec.capacity, "a unit holds beyond its capacity");
				ensure!(ZoneUnits::<T>::get(unit.zone).contains(&id), "a unit is not in its zone");
				ensure!(
					UnitOfMeter::<T>::get(unit.spec.meter) == Some(id),
					"a unit's meter is lost"
				);
			}
			let listed: usize = ZoneUnits::<T>::iter_values().map(|u| u.len()).sum();
			ensure!(listed == Units::<T>::iter().count(), "a zone lists a unit that is gone");
			for (zone, meters) in Participants::<T>::iter() {
				for m in meters.iter() {
					let e = Enrollments::<T>::get(m).ok_or("a participant is not enrolled")?;
					ensure!(e.zone == zone, "a participant is listed in another zone");
				}
			}
			for (_, _, (_, event)) in DemandEvents::<T>::iter() {
				let worth = event
					.price
					.cost_of(event.verified, daeg_primitives::Rounding::Down)
					.unwrap_or(Money::MAX);
				ensure!(event.rewarded <= worth, "a reward exceeds the verified reduction");
			}
			Ok(())
		}
	}

	impl<T: Config> GridControl for Pallet<T> {
		fn market(zone: ZoneId) -> ZoneMarket {
			let s = Status::<T>::get(zone);
			ZoneMarket {
				halted: s.halted.map(|_| EmergencyTariff::<T>::get()),
				isolated: s.islanded || s.halted.is_some(),
				cap: s.cap,
			}
		}
	}
}
