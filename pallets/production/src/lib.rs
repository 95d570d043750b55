//! # Production pallet: DAEG's producers and their facilities
//!
//! ## Facilities
//!
//! A producer **registers** a facility: its source (solar, wind, hydro, thermal, microgrid or
//! storage), nameplate capacity, grid zone, location, commissioning day, and the meter that
//! measures it — a meter the producer owns, in the same zone, that measures export, and that no
//! other facility uses. Registering holds [`Config::FacilityDeposit`] for the storage used;
//! **deregistering** returns it.
//!
//! ## Certification
//!
//! The grid operators ([`Config::OperatorOrigin`], their multisig) **appoint** and **remove**
//! certifiers. A certifier **certifies** a facility until an expiry at most
//! [`Config::MaxCertificationTerm`] ahead (a pending one, a suspended one again, or a certified
//! one for longer), **suspends** a certified one, or **revokes** any, each with a reason and an
//! event; never a facility of its own. Only the operators **reinstate** a revoked facility.
//! Only a certified, unexpired facility may sell energy (storage too): the market asks through
//! [`FacilityRegistry::may_sell`].
//!
//! ## Production metrics
//!
//! The consumption pallet tells this pallet of every final interval value
//! ([`OnFinalInterval`](daeg_primitives::consumption::OnFinalInterval)); a facility's meter's
//! export becomes its production: per facility and day (energy, intervals, intervals with
//! output, estimates) and per source and zone and day, in rings of [`Config::HistoryDays`] days.
//! The `ProductionApi` runtime API (RPC `production_*`) reports capacity factor and
//! availability over a window of days. Production is what the meter measured, never what the
//! producer says.
//!
//! ## Certificates of origin and the feed-in premium
//!
//! A certified solar, wind or hydro facility's measured export (measured or interpolated, not
//! substituted or flagged) is gathered per hour; when the hour's last interval is final the
//! producer gets an hourly **certificate of origin** (facility, hour, Wh, source, zone, carbon
//! intensity) and, at governance's rate, a **feed-in premium** per kWh from
//! [`Config::IncentivesAccount`] (owed and collectable later if that account runs short).
//! Holders **transfer** certificates, whole or in part, and **claim** them against the final
//! import of one of their own meters on the certificate's day: a claimed certificate can be
//! neither transferred nor claimed again, and a meter's claims never exceed what it imported.
//! Certificates expire (are removed) [`Config::HistoryDays`] days after their hour.
//!
//! ## Maintenance and efficiency
//!
//! Producers **declare** maintenance windows at least [`Config::MaintenanceNotice`] ahead;
//! a facility may not sell during them. Governance sets per source how often facilities must
//! be maintained: overdue maintenance raises an event and shows in the `ProductionApi`. It
//! also sets each source's typical capacity factor and an [`EfficiencyRule`]: a facility whose
//! output over the rule's window of intervals stays below the rule's share of its expected
//! output (capacity × time × typical capacity factor) is flagged, and unflagged once it
//! recovers.
//!
//! See `docs/production.md`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod certificates;
#[cfg(test)]
mod mock;
mod operation;
pub mod report;
#[cfg(test)]
mod tests;
pub mod weights;

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use daeg_primitives::{
	production::{Certification, EfficiencyRule, Location, ProductionDay, ProductionReport},
	CarbonIntensity, DayIndex, Energy, EnergySource, FacilityId, GridClock, HourIndex, MeterId,
	Power, ZoneId,
};
use frame_support::traits::fungible;
use scale_info::TypeInfo;

/// The balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

daeg_primitives::stored_type!(
	[]
	/// A registered facility.
	pub struct Facility<AccountId, Balance> {
		/// The producer that registered it.
		pub owner: AccountId,
		/// What the producer stated when registering it.
		pub spec: FacilitySpec,
		/// Where it is in its certification.
		pub certification: Certification<AccountId>,
		/// The deposit held from the producer while it is registered.
		pub deposit: Balance,
	}
);

/// A facility as stored by this pallet's configuration.
pub type FacilityOf<T> = Facility<<T as frame_system::Config>::AccountId, BalanceOf<T>>;

daeg_primitives::stored_type!(
	[Copy]
	/// What a producer states when registering a facility.
	pub struct FacilitySpec {
		/// What it generates from (not `Grid`).
		pub source: EnergySource,
		/// Its nameplate capacity (above zero).
		pub capacity: Power,
		/// The grid zone it feeds (the meter's zone).
		pub zone: ZoneId,
		/// Where it stands.
		pub location: Location,
		/// The day it was commissioned.
		pub commissioned: DayIndex,
		/// The meter that measures it.
		pub meter: MeterId,
	}
);

daeg_primitives::stored_type!(
	[]
	/// A certificate of origin: `energy` Wh produced from a renewable source by a certified
	/// facility in one hour (the hour is part of its [`CertificateId`]).
	///
	/// [`CertificateId`]: daeg_primitives::production::CertificateId
	pub struct Certificate<AccountId> {
		/// The facility that produced the energy.
		pub facility: FacilityId,
		/// Its source.
		pub source: EnergySource,
		/// The zone it was fed into.
		pub zone: ZoneId,
		/// The energy certified, Wh.
		pub energy: Energy,
		/// The carbon intensity of the source when the certificate was issued.
		pub intensity: CarbonIntensity,
		/// Who holds it.
		pub owner: AccountId,
		/// The meter whose consumption it was claimed against, once claimed.
		pub claimed: Option<MeterId>,
	}
);

daeg_primitives::stored_type!(
	[Copy, Default]
	/// What this pallet tracks of a facility's operation from its final meter values.
	pub struct FacilityOperation {
		/// Renewable energy its meter measured in final values, Wh (the ceiling of certificates).
		pub metered_renewable: Energy,
		/// Energy certificates were issued for, Wh.
		pub certified: Energy,
		/// The hour whose certifiable energy is being gathered, and that energy so far.
		pub open_hour: Option<(HourIndex, Energy)>,
		/// Final intervals counted in the current efficiency window.
		pub window_intervals: u32,
		/// Energy exported in the current efficiency window.
		pub window_energy: Energy,
		/// Whether the last full window's output was low.
		pub low_output: bool,
		/// The day its last maintenance ended (its commissioning day before any).
		pub last_maintained: DayIndex,
		/// Whether overdue maintenance has been reported since it was last maintained.
		pub overdue_reported: bool,
	}
);

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use daeg_primitives::{
		consumption::{CarbonIntensities, MeterRegistry, MeteredEnergy},
		production::{CertificateId, MaintenanceWindow, Reason, SourceParameters},
		Grid, PricePerKWh,
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

	/// Configuration of the production pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The currency in which facility deposits are held.
		type Currency: fungible::Inspect<Self::AccountId>
			+ fungible::Mutate<Self::AccountId>
			+ fungible::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons, which include this pallet's.
		type RuntimeHoldReason: From<HoldReason>;

		/// The deposit held for each registered facility, returned when it is deregistered.
		#[pallet::constant]
		type FacilityDeposit: Get<BalanceOf<Self>>;

		/// The most facilities one producer may register.
		#[pallet::constant]
		type MaxFacilitiesPerProducer: Get<u32>;

		/// The most certifiers at once.
		#[pallet::constant]
		type MaxCertifiers: Get<u32>;

		/// The consumption pallet: its meters, their final values and carbon intensities.
		type Meters: MeterRegistry<Self::AccountId> + MeteredEnergy + CarbonIntensities;

		/// Registers meters for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type MeterHelper: daeg_primitives::consumption::MeterBenchmarkHelper<Self::AccountId>;

		/// The grid: the zones facilities may be registered in, and grid time (certification
		/// expiries are grid time).
		type Grid: Grid;

		/// Who appoints and removes certifiers: the grid operators.
		type OperatorOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// How many days of production each facility (and each source and zone) keeps; also
		/// how long certificates of origin live after their hour.
		#[pallet::constant]
		type HistoryDays: Get<u32>;

		/// The account feed-in premiums are paid from.
		#[pallet::constant]
		type IncentivesAccount: Get<Self::AccountId>;

		/// The most maintenance windows a facility may have declared at once.
		#[pallet::constant]
		type MaxMaintenanceWindows: Get<u32>;

		/// How far ahead (ms) a maintenance window must be declared.
		#[pallet::constant]
		type MaintenanceNotice: Get<u64>;

		/// The longest maintenance window (ms).
		#[pallet::constant]
		type MaxMaintenanceLength: Get<u64>;

		/// The longest a certification may run (ms of grid time from when it is given): a
		/// facility is checked again at least this often.
		#[pallet::constant]
		type MaxCertificationTerm: Get<u64>;

		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit of a registered facility.
		#[codec(index = 0)]
		FacilityDeposit,
	}

	/// The id the next registered facility gets.
	#[pallet::storage]
	pub type NextFacilityId<T> = StorageValue<_, FacilityId, ValueQuery>;

	/// Every registered facility.
	#[pallet::storage]
	pub type Facilities<T: Config> = StorageMap<_, Twox64Concat, FacilityId, FacilityOf<T>>;

	/// The facilities each producer registered.
	#[pallet::storage]
	pub type FacilitiesOf<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<FacilityId, T::MaxFacilitiesPerProducer>,
		ValueQuery,
	>;

	/// The facility each meter measures: a meter measures one facility.
	#[pallet::storage]
	pub type FacilityOfMeter<T> = StorageMap<_, Twox64Concat, MeterId, FacilityId>;

	/// The appointed certifiers.
	#[pallet::storage]
	pub type Certifiers<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, ()>;

	/// How many certifiers are appointed (at most [`Config::MaxCertifiers`]).
	#[pallet::storage]
	pub type CertifierCount<T> = StorageValue<_, u32, ValueQuery>;

	/// Each facility's final production per day, a ring of [`Config::HistoryDays`] slots.
	#[pallet::storage]
	pub type FacilityDays<T> =
		StorageDoubleMap<_, Twox64Concat, FacilityId, Twox64Concat, u32, (DayIndex, ProductionDay)>;

	/// Final production per day, source and zone, a ring of [`Config::HistoryDays`] day slots.
	#[pallet::storage]
	pub type SourceZoneDays<T> = StorageNMap<
		_,
		(
			NMapKey<Twox64Concat, u32>,
			NMapKey<Twox64Concat, EnergySource>,
			NMapKey<Twox64Concat, ZoneId>,
		),
		(DayIndex, Energy),
	>;

	/// How each facility is operating: certificate, efficiency and maintenance state.
	#[pallet::storage]
	pub type Operation<T> = StorageMap<_, Twox64Concat, FacilityId, FacilityOperation>;

	/// Each facility's declared maintenance windows that have not ended, by start.
	#[pallet::storage]
	pub type Maintenance<T: Config> = StorageMap<
		_,
		Twox64Concat,
		FacilityId,
		BoundedVec<MaintenanceWindow, T::MaxMaintenanceWindows>,
		ValueQuery,
	>;

	/// Governance's parameters per source (unset: output unchecked, maintenance never due).
	#[pallet::storage]
	pub type SourceParams<T> = StorageMap<_, Twox64Concat, EnergySource, SourceParameters>;

	/// When output counts as low (unset: never).
	#[pallet::storage]
	pub type Efficiency<T> = StorageValue<_, EfficiencyRule>;

	/// The feed-in premium per certified renewable kWh (zero: none).
	#[pallet::storage]
	pub type FeedInPremium<T> = StorageValue<_, PricePerKWh, ValueQuery>;

	/// Feed-in premium earned but not paid because the incentives account ran short.
	#[pallet::storage]
	pub type UnpaidPremium<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BalanceOf<T>, ValueQuery>;

	/// Live certificates of origin, by hour of production and serial number.
	#[pallet::storage]
	pub type Certificates<T: Config> =
		StorageDoubleMap<_, Twox64Concat, HourIndex, Twox64Concat, u64, Certificate<T::AccountId>>;

	/// The serial number of the next certificate.
	#[pallet::storage]
	pub type NextCertificate<T> = StorageValue<_, u64, ValueQuery>;

	/// The oldest hour that may still hold certificates (`None` before the first one): where
	/// expiry continues.
	#[pallet::storage]
	pub type ExpiryCursor<T> = StorageValue<_, HourIndex>;

	/// Certificate energy claimed against each meter per day, a ring of [`Config::HistoryDays`]
	/// slots.
	#[pallet::storage]
	pub type Claimed<T> =
		StorageDoubleMap<_, Twox64Concat, MeterId, Twox64Concat, u32, (DayIndex, Energy)>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A producer registered a facility; it awaits certification.
		FacilityRegistered { facility: FacilityId, owner: T::AccountId, spec: FacilitySpec },
		/// A producer deregistered a facility and got its deposit back.
		FacilityDeregistered { facility: FacilityId, owner: T::AccountId },
		/// The grid operators appointed a certifier.
		CertifierAppointed { certifier: T::AccountId },
		/// The grid operators removed a certifier.
		CertifierRemoved { certifier: T::AccountId },
		/// A certifier certified a facility until `until_ms`: it may sell until then.
		FacilityCertified { facility: FacilityId, certifier: T::AccountId, until_ms: u64 },
		/// A certifier suspended a facility's certification.
		FacilitySuspended { facility: FacilityId, certifier: T::AccountId, reason: Reason },
		/// A certifier revoked a facility's certification (until the operators reinstate it).
		FacilityRevoked { facility: FacilityId, certifier: T::AccountId, reason: Reason },
		/// The grid operators reinstated a revoked facility: it awaits certification again.
		FacilityReinstated { facility: FacilityId },
		/// A producer declared a maintenance window: the facility may not sell during it.
		MaintenanceDeclared { facility: FacilityId, window: MaintenanceWindow },
		/// A producer cancelled a maintenance window before it started.
		MaintenanceCancelled { facility: FacilityId, window: MaintenanceWindow },
		/// A maintenance window ended: the facility counts as maintained on its last day.
		MaintenanceCompleted { facility: FacilityId, window: MaintenanceWindow },
		/// A facility was due for maintenance on `due` and has not been maintained since.
		MaintenanceOverdue { facility: FacilityId, due: DayIndex },
		/// Governance set a source's parameters.
		SourceParametersSet { source: EnergySource, parameters: SourceParameters },
		/// Governance set (or cleared) the efficiency rule.
		EfficiencyRuleSet { rule: Option<EfficiencyRule> },
		/// Governance set the feed-in premium per certified renewable kWh.
		FeedInPremiumSet { rate: PricePerKWh },
		/// A facility's output over a window was below the efficiency rule's share of what was
		/// expected.
		LowOutput { facility: FacilityId, measured: Energy, expected: Energy },
		/// A flagged facility's output over a window was back above the rule's share.
		OutputRecovered { facility: FacilityId, measured: Energy, expected: Energy },
		/// A certificate of origin was issued to a facility's producer.
		CertificateIssued {
			id: CertificateId,
			facility: FacilityId,
			owner: T::AccountId,
			energy: Energy,
			source: EnergySource,
			zone: ZoneId,
			intensity: CarbonIntensity,
		},
		/// `energy` of certificate `id` went from `from` to `to` as certificate `to_id` (`id`
		/// itself when it moved whole).
		CertificateTransferred {
			id: CertificateId,
			to_id: CertificateId,
			from: T::AccountId,
			to: T::AccountId,
			energy: Energy,
		},
		/// A holder claimed certificate `id` against its meter's consumption.
		CertificateClaimed {
			id: CertificateId,
			holder: T::AccountId,
			meter: MeterId,
			energy: Energy,
		},
		/// A producer was paid feed-in premium.
		PremiumPaid { producer: T::AccountId, amount: BalanceOf<T> },
		/// The incentives account could not pay a premium; it is owed to the producer.
		PremiumDeferred { producer: T::AccountId, amount: BalanceOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// A certifier may not certify, suspend or revoke its own facilities.
		OwnFacility,
		/// The certification would run longer than [`Config::MaxCertificationTerm`].
		TermTooLong,
		/// Only a revoked facility is reinstated.
		NotRevoked,
		/// The zone is not one of the grid's zones.
		UnknownZone,
		/// A facility's capacity must be above zero.
		ZeroCapacity,
		/// The grid is not a facility's source.
		GridIsNotASource,
		/// The location is not on the earth.
		BadLocation,
		/// No meter has this id.
		UnknownMeter,
		/// The meter belongs to someone else.
		NotMeterOwner,
		/// The meter cannot measure energy fed into the grid.
		MeterCannotMeasureExport,
		/// The meter is in another zone than the facility.
		ZoneMismatch,
		/// The meter already measures another facility.
		MeterInUse,
		/// The producer has registered as many facilities as it may.
		TooManyFacilities,
		/// Every facility id has been used.
		FacilityIdsExhausted,
		/// The producer cannot pay the facility deposit.
		InsufficientBalance,
		/// No facility has this id.
		UnknownFacility,
		/// Only the facility's producer may do this.
		NotOwner,
		/// The account is already a certifier.
		AlreadyCertifier,
		/// The account is not a certifier.
		NotCertifier,
		/// As many certifiers are appointed as may be.
		TooManyCertifiers,
		/// The expiry is not in the future.
		ExpiryInPast,
		/// The facility's certification was revoked (only the operators reinstate it).
		Revoked,
		/// Only a certified facility can be suspended.
		NotCertified,
		/// A maintenance window must end after it starts.
		EmptyWindow,
		/// The maintenance window is longer than [`Config::MaxMaintenanceLength`].
		WindowTooLong,
		/// Maintenance must be declared [`Config::MaintenanceNotice`] ahead.
		TooLittleNotice,
		/// The window overlaps one already declared.
		WindowOverlaps,
		/// The facility has as many maintenance windows declared as it may.
		TooManyWindows,
		/// The facility has no maintenance window starting then.
		UnknownWindow,
		/// The maintenance window has started: it can no longer be cancelled.
		MaintenanceStarted,
		/// An efficiency window must count at least one interval.
		ZeroIntervals,
		/// No live certificate has this id.
		UnknownCertificate,
		/// Only the certificate's holder may do this.
		NotCertificateHolder,
		/// The certificate was claimed: it can be neither transferred nor claimed again.
		AlreadyClaimed,
		/// The energy must be above zero.
		ZeroEnergy,
		/// The certificate holds less energy than asked.
		NotEnoughEnergy,
		/// The consumption pallet no longer keeps (or has no final value of) the meter's day.
		ConsumptionUnknown,
		/// The meter's claims that day would exceed what it imported.
		ExceedsConsumption,
		/// No feed-in premium is owed to the caller.
		NothingOwed,
		/// The incentives account cannot pay what is owed yet.
		IncentivesShort,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers a facility of the caller's, measured by one of the caller's meters, and
		/// holds [`Config::FacilityDeposit`]. The facility starts `Pending`.
		///
		/// Emits [`Event::FacilityRegistered`].
		///
		/// ## Complexity
		/// - O(F), F the caller's facilities (bounded by [`Config::MaxFacilitiesPerProducer`]).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_facility(T::MaxFacilitiesPerProducer::get()))]
		pub fn register_facility(origin: OriginFor<T>, spec: FacilitySpec) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			ensure!(T::Grid::is_zone(spec.zone), Error::<T>::UnknownZone);
			ensure!(!spec.capacity.is_zero(), Error::<T>::ZeroCapacity);
			ensure!(spec.source != EnergySource::Grid, Error::<T>::GridIsNotASource);
			ensure!(spec.location.is_valid(), Error::<T>::BadLocation);
			let meter = T::Meters::meter(spec.meter).ok_or(Error::<T>::UnknownMeter)?;
			ensure!(meter.owner == owner, Error::<T>::NotMeterOwner);
			ensure!(meter.kind.measures_export(), Error::<T>::MeterCannotMeasureExport);
			ensure!(meter.zone == spec.zone, Error::<T>::ZoneMismatch);
			ensure!(!FacilityOfMeter::<T>::contains_key(spec.meter), Error::<T>::MeterInUse);

			let facility = NextFacilityId::<T>::get();
			let next = facility.next().ok_or(Error::<T>::FacilityIdsExhausted)?;
			FacilitiesOf::<T>::try_mutate(&owner, |ids| ids.try_push(facility))
				.map_err(|_| Error::<T>::TooManyFacilities)?;
			let deposit = T::FacilityDeposit::get();
			T::Currency::hold(&HoldReason::FacilityDeposit.into(), &owner, deposit)
				.map_err(|_| Error::<T>::InsufficientBalance)?;

			Facilities::<T>::insert(
				facility,
				Facility {
					owner: owner.clone(),
					spec,
					certification: Certification::Pending,
					deposit,
				},
			);
			FacilityOfMeter::<T>::insert(spec.meter, facility);
			Operation::<T>::insert(
				facility,
				FacilityOperation { last_maintained: spec.commissioned, ..Default::default() },
			);
			NextFacilityId::<T>::put(next);
			Self::deposit_event(Event::FacilityRegistered { facility, owner, spec });
			Ok(())
		}

		/// Deregisters one of the caller's facilities, with its production days and maintenance
		/// plan, and returns its deposit. Certificates it was issued stay with their holders;
		/// energy of an hour not yet certified is not.
		///
		/// Emits [`Event::FacilityDeregistered`].
		///
		/// ## Complexity
		/// - O(F), F the caller's facilities (bounded by [`Config::MaxFacilitiesPerProducer`]).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::deregister_facility(T::MaxFacilitiesPerProducer::get()))]
		pub fn deregister_facility(origin: OriginFor<T>, facility: FacilityId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let f = Facilities::<T>::get(facility).ok_or(Error::<T>::UnknownFacility)?;
			ensure!(f.owner == who, Error::<T>::NotOwner);
			T::Currency::release(
				&HoldReason::FacilityDeposit.into(),
				&who,
				f.deposit,
				Precision::BestEffort,
			)?;
			FacilitiesOf::<T>::mutate_exists(&who, |ids| {
				if let Some(list) = ids {
					list.retain(|id| *id != facility);
					if list.is_empty() {
						*ids = None;
					}
				}
			});
			FacilityOfMeter::<T>::remove(f.spec.meter);
			Facilities::<T>::remove(facility);
			Operation::<T>::remove(facility);
			Maintenance::<T>::remove(facility);
			let _ = FacilityDays::<T>::clear_prefix(facility, T::HistoryDays::get(), None);
			Self::deposit_event(Event::FacilityDeregistered { facility, owner: who });
			Ok(())
		}

		/// Appoints a certifier.
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::CertifierAppointed`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::appoint_certifier())]
		pub fn appoint_certifier(origin: OriginFor<T>, certifier: T::AccountId) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			ensure!(!Certifiers::<T>::contains_key(&certifier), Error::<T>::AlreadyCertifier);
			let count = CertifierCount::<T>::get();
			ensure!(count < T::MaxCertifiers::get(), Error::<T>::TooManyCertifiers);
			Certifiers::<T>::insert(&certifier, ());
			CertifierCount::<T>::put(count.saturating_add(1));
			Self::deposit_event(Event::CertifierAppointed { certifier });
			Ok(())
		}

		/// Removes a certifier. Its certifications stand until they expire.
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::CertifierRemoved`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::remove_certifier())]
		pub fn remove_certifier(origin: OriginFor<T>, certifier: T::AccountId) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			Certifiers::<T>::take(&certifier).ok_or(Error::<T>::NotCertifier)?;
			CertifierCount::<T>::mutate(|c| *c = c.saturating_sub(1));
			Self::deposit_event(Event::CertifierRemoved { certifier });
			Ok(())
		}

		/// Certifies a facility until grid time `until_ms`, at most
		/// [`Config::MaxCertificationTerm`] from now: a pending one, a suspended one again, or a
		/// certified one for longer. A revoked one stays revoked.
		///
		/// Origin: a certifier, not the facility's owner. Emits [`Event::FacilityCertified`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::certify())]
		pub fn certify(
			origin: OriginFor<T>,
			facility: FacilityId,
			until_ms: u64,
		) -> DispatchResult {
			let certifier = Self::ensure_certifier(origin)?;
			let now = T::Grid::now_ms();
			ensure!(until_ms > now, Error::<T>::ExpiryInPast);
			let latest = now.saturating_add(T::MaxCertificationTerm::get());
			ensure!(until_ms <= latest, Error::<T>::TermTooLong);
			Self::transition(facility, &certifier, |c| {
				ensure!(!matches!(c, Certification::Revoked { .. }), Error::<T>::Revoked);
				*c = Certification::Certified { by: certifier.clone(), until_ms };
				Ok(())
			})?;
			Self::deposit_event(Event::FacilityCertified { facility, certifier, until_ms });
			Ok(())
		}

		/// Suspends a certified facility's certification: it may not sell until certified
		/// again.
		///
		/// Origin: a certifier, not the facility's owner. Emits [`Event::FacilitySuspended`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::suspend())]
		pub fn suspend(
			origin: OriginFor<T>,
			facility: FacilityId,
			reason: Reason,
		) -> DispatchResult {
			let certifier = Self::ensure_certifier(origin)?;
			Self::transition(facility, &certifier, |c| {
				ensure!(matches!(c, Certification::Certified { .. }), Error::<T>::NotCertified);
				*c = Certification::Suspended { reason: reason.clone() };
				Ok(())
			})?;
			Self::deposit_event(Event::FacilitySuspended { facility, certifier, reason });
			Ok(())
		}

		/// Revokes a facility's certification until the grid operators reinstate it
		/// ([`Pallet::reinstate`]).
		///
		/// Origin: a certifier, not the facility's owner. Emits [`Event::FacilityRevoked`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::revoke())]
		pub fn revoke(
			origin: OriginFor<T>,
			facility: FacilityId,
			reason: Reason,
		) -> DispatchResult {
			let certifier = Self::ensure_certifier(origin)?;
			Self::transition(facility, &certifier, |c| {
				ensure!(!matches!(c, Certification::Revoked { .. }), Error::<T>::Revoked);
				*c = Certification::Revoked { reason: reason.clone() };
				Ok(())
			})?;
			Self::deposit_event(Event::FacilityRevoked { facility, certifier, reason });
			Ok(())
		}

		/// Declares a maintenance window of one of the caller's facilities: it may not sell
		/// from `window.start_ms` until `window.end_ms`. The window must start at least
		/// [`Config::MaintenanceNotice`] from now, last at most
		/// [`Config::MaxMaintenanceLength`] and overlap no other; windows that have ended are
		/// retired first (the facility counts as maintained).
		///
		/// Emits [`Event::MaintenanceDeclared`] (and [`Event::MaintenanceCompleted`] per retired
		/// window).
		///
		/// ## Complexity
		/// - O(W), W the facility's windows (bounded by [`Config::MaxMaintenanceWindows`]).
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::declare_maintenance(T::MaxMaintenanceWindows::get()))]
		pub fn declare_maintenance(
			origin: OriginFor<T>,
			facility: FacilityId,
			window: MaintenanceWindow,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_owner(facility, &who)?;
			let length = window.end_ms.saturating_sub(window.start_ms);
			ensure!(length > 0, Error::<T>::EmptyWindow);
			ensure!(length <= T::MaxMaintenanceLength::get(), Error::<T>::WindowTooLong);
			let earliest = T::Grid::now_ms().saturating_add(T::MaintenanceNotice::get());
			ensure!(window.start_ms >= earliest, Error::<T>::TooLittleNotice);
			Self::add_window(facility, window)?;
			Self::deposit_event(Event::MaintenanceDeclared { facility, window });
			Ok(())
		}

		/// Cancels a maintenance window of one of the caller's facilities that has not started.
		///
		/// Emits [`Event::MaintenanceCancelled`].
		///
		/// ## Complexity
		/// - O(W), W the facility's windows (bounded by [`Config::MaxMaintenanceWindows`]).
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::cancel_maintenance(T::MaxMaintenanceWindows::get()))]
		pub fn cancel_maintenance(
			origin: OriginFor<T>,
			facility: FacilityId,
			start_ms: u64,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_owner(facility, &who)?;
			let window = Maintenance::<T>::try_mutate(facility, |windows| {
				let at = windows
					.iter()
					.position(|w| w.start_ms == start_ms)
					.ok_or(Error::<T>::UnknownWindow)?;
				ensure!(start_ms > T::Grid::now_ms(), Error::<T>::MaintenanceStarted);
				Ok::<_, Error<T>>(windows.remove(at))
			})?;
			Self::deposit_event(Event::MaintenanceCancelled { facility, window });
			Ok(())
		}

		/// Sets a source's typical capacity factor and maintenance interval.
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::SourceParametersSet`].
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::set_source_parameters())]
		pub fn set_source_parameters(
			origin: OriginFor<T>,
			source: EnergySource,
			parameters: SourceParameters,
		) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			ensure!(source != EnergySource::Grid, Error::<T>::GridIsNotASource);
			SourceParams::<T>::insert(source, parameters);
			Self::deposit_event(Event::SourceParametersSet { source, parameters });
			Ok(())
		}

		/// Sets when a facility's output counts as low, or (`None`) stops checking. Windows
		/// under way restart.
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::EfficiencyRuleSet`].
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::set_efficiency_rule())]
		pub fn set_efficiency_rule(
			origin: OriginFor<T>,
			rule: Option<EfficiencyRule>,
		) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			if let Some(r) = rule {
				ensure!(r.intervals > 0, Error::<T>::ZeroIntervals);
			}
			Efficiency::<T>::set(rule);
			Self::deposit_event(Event::EfficiencyRuleSet { rule });
			Ok(())
		}

		/// Sets the feed-in premium paid per certified renewable kWh (zero: none).
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::FeedInPremiumSet`].
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::set_feed_in_premium())]
		pub fn set_feed_in_premium(origin: OriginFor<T>, rate: PricePerKWh) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			FeedInPremium::<T>::put(rate);
			Self::deposit_event(Event::FeedInPremiumSet { rate });
			Ok(())
		}

		/// Gives `energy` of an unclaimed certificate of the caller's to `to`: the whole
		/// certificate, or a part split off as a new certificate of the same hour (`to` may be
		/// the caller, to split).
		///
		/// Emits [`Event::CertificateTransferred`].
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::transfer_certificate())]
		pub fn transfer_certificate(
			origin: OriginFor<T>,
			id: CertificateId,
			to: T::AccountId,
			energy: Energy,
		) -> DispatchResult {
			let from = ensure_signed(origin)?;
			let to_id = Self::take_part(id, &from, energy, |c| c.owner = to.clone())?;
			Self::deposit_event(Event::CertificateTransferred { id, to_id, from, to, energy });
			Ok(())
		}

		/// Claims `energy` of an unclaimed certificate of the caller's against the final import
		/// on the certificate's day of `meter`, one of the caller's meters: the whole
		/// certificate, or a part split off (the rest stays unclaimed). A meter's claims on a
		/// day never exceed its final import that day.
		///
		/// Emits [`Event::CertificateClaimed`].
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::claim_certificate())]
		pub fn claim_certificate(
			origin: OriginFor<T>,
			id: CertificateId,
			energy: Energy,
			meter: MeterId,
		) -> DispatchResult {
			let holder = ensure_signed(origin)?;
			let m = T::Meters::meter(meter).ok_or(Error::<T>::UnknownMeter)?;
			ensure!(m.owner == holder, Error::<T>::NotMeterOwner);
			let day = id.hour.day();
			let imported =
				T::Meters::final_day(meter, day).ok_or(Error::<T>::ConsumptionUnknown)?.imported;
			let slot = Self::day_slot(day);
			let before = Self::claimed_on(meter, day);
			let after = before.checked_add(energy).ok_or(Error::<T>::ExceedsConsumption)?;
			ensure!(after <= imported, Error::<T>::ExceedsConsumption);
			let claimed = Self::take_part(id, &holder, energy, |c| c.claimed = Some(meter))?;
			Claimed::<T>::insert(meter, slot, (day, after));
			Self::deposit_event(Event::CertificateClaimed { id: claimed, holder, meter, energy });
			Ok(())
		}

		/// Pays the caller the feed-in premium it is owed, once the incentives account can.
		///
		/// Emits [`Event::PremiumPaid`].
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::collect_premium())]
		pub fn collect_premium(origin: OriginFor<T>) -> DispatchResult {
			let producer = ensure_signed(origin)?;
			let amount = UnpaidPremium::<T>::get(&producer);
			ensure!(!amount.is_zero(), Error::<T>::NothingOwed);
			Self::pay_from_incentives(&producer, amount)
				.map_err(|_| Error::<T>::IncentivesShort)?;
			UnpaidPremium::<T>::remove(&producer);
			Self::deposit_event(Event::PremiumPaid { producer, amount });
			Ok(())
		}

		/// Reinstates a revoked facility (a revocation found wrong, or the facility rebuilt):
		/// it is pending again and sells once a certifier certifies it. No certifier alone can
		/// put a facility beyond recall.
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::FacilityReinstated`].
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::reinstate())]
		pub fn reinstate(origin: OriginFor<T>, facility: FacilityId) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			Facilities::<T>::try_mutate(facility, |f| {
				let f = f.as_mut().ok_or(Error::<T>::UnknownFacility)?;
				ensure!(
					matches!(f.certification, Certification::Revoked { .. }),
					Error::<T>::NotRevoked
				);
				f.certification = Certification::Pending;
				Ok::<_, DispatchError>(())
			})?;
			Self::deposit_event(Event::FacilityReinstated { facility });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The production slot of `day`.
		pub(crate) fn day_slot(day: DayIndex) -> u32 {
			daeg_primitives::ring::slot(day.0, T::HistoryDays::get())
		}

		/// A facility's production from day `from` to `to` inclusive that is still kept (at
		/// most [`Config::HistoryDays`] days read); `None` for an unknown facility.
		pub fn facility_report(
			facility: FacilityId,
			from: DayIndex,
			to: DayIndex,
		) -> Option<ProductionReport> {
			let f = Facilities::<T>::get(facility)?;
			let first = from.0.max(to.0.saturating_sub(T::HistoryDays::get().saturating_sub(1)));
			let mut sum = ProductionDay::default();
			for day in first..=to.0 {
				let day = DayIndex(day);
				let kept = FacilityDays::<T>::get(facility, Self::day_slot(day));
				if let Some(p) = daeg_primitives::ring::kept(kept, day) {
					sum.merge(&p);
				}
			}
			Some(crate::report::report(&sum, f.spec.capacity, T::Grid::interval_length_ms()))
		}

		/// Final production per source and zone on `day`, if still kept.
		pub fn day_totals(day: DayIndex) -> alloc::vec::Vec<(EnergySource, ZoneId, Energy)> {
			SourceZoneDays::<T>::iter_prefix((Self::day_slot(day),))
				.filter(|(_, (d, _))| *d == day)
				.map(|((source, zone), (_, energy))| (source, zone, energy))
				.collect()
		}

		/// The signer of `origin`, if it is a certifier.
		fn ensure_certifier(origin: OriginFor<T>) -> Result<T::AccountId, DispatchError> {
			let who = ensure_signed(origin)?;
			ensure!(Certifiers::<T>::contains_key(&who), Error::<T>::NotCertifier);
			Ok(who)
		}

		/// Fails unless `who` registered `facility`.
		fn ensure_owner(facility: FacilityId, who: &T::AccountId) -> DispatchResult {
			let f = Facilities::<T>::get(facility).ok_or(Error::<T>::UnknownFacility)?;
			ensure!(f.owner == *who, Error::<T>::NotOwner);
			Ok(())
		}

		/// Applies `certifier`'s `change` to a facility's certification: never to a facility
		/// of its own.
		fn transition(
			facility: FacilityId,
			certifier: &T::AccountId,
			change: impl FnOnce(&mut Certification<T::AccountId>) -> DispatchResult,
		) -> DispatchResult {
			Facilities::<T>::try_mutate(facility, |f| {
				let f = f.as_mut().ok_or(Error::<T>::UnknownFacility)?;
				ensure!(f.owner != *certifier, Error::<T>::OwnFacility);
				change(&mut f.certification)
			})
		}

		/// Checks the invariants: every facility is listed under its producer and indexed by
		/// its meter, ids are below the next id, the certifier count is right, each producer's
		/// held deposit covers their facilities' deposits; and those of certificates and
		/// facilities' operation ([`Self::try_state_certificates`],
		/// [`Self::try_state_operation`]).
		#[cfg(any(feature = "try-runtime", feature = "std", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use frame_support::traits::fungible::InspectHold;
			use sp_runtime::traits::{Saturating, Zero};

			Self::try_state_certificates()?;
			Self::try_state_operation()?;

			let next = NextFacilityId::<T>::get();
			let mut count = 0usize;
			for (id, f) in Facilities::<T>::iter() {
				count = count.saturating_add(1);
				ensure!(id < next, "a facility id is not below the next id");
				ensure!(
					FacilitiesOf::<T>::get(&f.owner).contains(&id),
					"a facility is missing from its producer's list"
				);
				ensure!(
					FacilityOfMeter::<T>::get(f.spec.meter) == Some(id),
					"a facility's meter does not point back at it"
				);
			}
			let listed: usize = FacilitiesOf::<T>::iter_values().map(|v| v.len()).sum();
			ensure!(listed == count, "producers' lists and facilities differ");
			ensure!(
				FacilityOfMeter::<T>::iter().count() == count,
				"meter index and facilities differ"
			);
			ensure!(
				Certifiers::<T>::iter().count() == CertifierCount::<T>::get() as usize,
				"the certifier count is wrong"
			);
			for (id, slot, (day, _)) in FacilityDays::<T>::iter() {
				ensure!(
					Facilities::<T>::contains_key(id),
					"production days of an unknown facility"
				);
				ensure!(Self::day_slot(day) == slot, "production days outside their slot");
			}
			for (owner, ids) in FacilitiesOf::<T>::iter() {
				let mut owed = BalanceOf::<T>::zero();
				for id in ids {
					let f =
						Facilities::<T>::get(id).ok_or("a producer lists an unknown facility")?;
					owed = owed.saturating_add(f.deposit);
				}
				let held =
					T::Currency::balance_on_hold(&HoldReason::FacilityDeposit.into(), &owner);
				ensure!(held >= owed, "a producer's held deposit does not cover their facilities");
			}
			Ok(())
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::HistoryDays::get() > 0, "production days need a slot");
		}

		/// Expires certificates of origin older than [`Config::HistoryDays`] days, with the
		/// weight left in the block.
		fn on_idle(_n: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::expire_certificates(remaining)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}
}

/// Succeeds for a call signed by an appointed certifier, yielding its account: how other
/// pallets let certifiers act (e.g. activate meters).
pub struct EnsureCertifier<T>(core::marker::PhantomData<T>);

impl<T: Config> frame_support::traits::EnsureOrigin<T::RuntimeOrigin> for EnsureCertifier<T> {
	type Success = T::AccountId;

	fn try_origin(o: T::RuntimeOrigin) -> Result<Self::Success, T::RuntimeOrigin> {
		match o.clone().into() {
			Ok(frame_system::RawOrigin::Signed(who)) if Certifiers::<T>::contains_key(&who) => {
				Ok(who)
			}
			_ => Err(o),
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<T::RuntimeOrigin, ()> {
		let who: T::AccountId = frame_benchmarking::account("certifier", 0, 0);
		Certifiers::<T>::insert(&who, ());
		CertifierCount::<T>::mutate(|c| *c = c.saturating_add(1));
		Ok(frame_system::RawOrigin::Signed(who).into())
	}
}
