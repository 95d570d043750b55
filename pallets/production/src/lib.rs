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
//! The grid operators ([`Config::GovernanceOrigin`], their multisig) **appoint** and **remove**
//! certifiers. A certifier **certifies** a facility until an expiry (a pending one, a suspended
//! one again, or a certified one for longer), **suspends** a certified one, or **revokes** any
//! for good, each with a reason and an event. Only a certified, unexpired facility may sell
//! energy: the market asks through [`FacilityRegistry::may_sell`].
//!
//! ## Production metrics
//!
//! The metering pallet tells this pallet of every final interval value
//! ([`OnFinalInterval`](daeg_primitives::metering::OnFinalInterval)); a facility's meter's
//! export becomes its production: per facility and day (energy, intervals, intervals with
//! output, estimates) and per source and zone and day, in rings of [`Config::DaysKept`] days.
//! The `ProductionApi` runtime API (RPC `production_*`) reports capacity factor and
//! availability over a window of days. Production is what the meter measured, never what the
//! producer says.
//!
//! Certificates of origin, maintenance and efficiency follow in later slices of the production
//! issue (`docs/production.md`).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use daeg_primitives::{
	production::{
		Certification, FacilityInfo, FacilityRegistry, Location, ProductionDay, ProductionReport,
	},
	DayIndex, Energy, EnergySource, FacilityId, MeterId, Power, ZoneId,
};
use frame_support::traits::fungible;
use scale_info::TypeInfo;

/// The balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// A registered facility.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Facility<AccountId, Balance> {
	/// The producer that registered it.
	pub owner: AccountId,
	/// What it generates from.
	pub source: EnergySource,
	/// Its nameplate capacity.
	pub capacity: Power,
	/// The grid zone it feeds.
	pub zone: ZoneId,
	/// Where it stands.
	pub location: Location,
	/// The day it was commissioned.
	pub commissioned: DayIndex,
	/// The meter that measures its output.
	pub meter: MeterId,
	/// Where it is in its certification.
	pub certification: Certification<AccountId>,
	/// The deposit held from the producer while it is registered.
	pub deposit: Balance,
}

/// A facility as stored by this pallet's configuration.
pub type FacilityOf<T> = Facility<<T as frame_system::Config>::AccountId, BalanceOf<T>>;

/// What a producer states when registering a facility.
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
)]
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

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use daeg_primitives::{metering::MeterRegistry, production::Reason, GridClock};
	use frame_support::{
		pallet_prelude::*,
		traits::{fungible::MutateHold, tokens::Precision, Contains},
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

		/// The meter registry (the metering pallet).
		type Meters: MeterRegistry<Self::AccountId>;

		/// Registers meters for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type MeterHelper: daeg_primitives::metering::MeterBenchmarkHelper<Self::AccountId>;

		/// The grid zones facilities may be registered in.
		type Zones: Contains<ZoneId>;

		/// Who appoints and removes certifiers: the grid operators.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The grid's clock: certification expiries are grid time.
		type Clock: GridClock;

		/// How many days of production each facility (and each source and zone) keeps.
		#[pallet::constant]
		type DaysKept: Get<u32>;

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

	/// Each facility's final production per day, a ring of [`Config::DaysKept`] slots.
	#[pallet::storage]
	pub type FacilityDays<T> =
		StorageDoubleMap<_, Twox64Concat, FacilityId, Twox64Concat, u32, (DayIndex, ProductionDay)>;

	/// Final production per day, source and zone, a ring of [`Config::DaysKept`] day slots.
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
		/// A certifier revoked a facility's certification for good.
		FacilityRevoked { facility: FacilityId, certifier: T::AccountId, reason: Reason },
	}

	#[pallet::error]
	pub enum Error<T> {
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
		/// The facility's certification was revoked for good.
		Revoked,
		/// Only a certified facility can be suspended.
		NotCertified,
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
			ensure!(T::Zones::contains(&spec.zone), Error::<T>::UnknownZone);
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
					source: spec.source,
					capacity: spec.capacity,
					zone: spec.zone,
					location: spec.location,
					commissioned: spec.commissioned,
					meter: spec.meter,
					certification: Certification::Pending,
					deposit,
				},
			);
			FacilityOfMeter::<T>::insert(spec.meter, facility);
			NextFacilityId::<T>::put(next);
			Self::deposit_event(Event::FacilityRegistered { facility, owner, spec });
			Ok(())
		}

		/// Deregisters one of the caller's facilities, with its production days, and returns
		/// its deposit.
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
			FacilityOfMeter::<T>::remove(f.meter);
			Facilities::<T>::remove(facility);
			let _ = FacilityDays::<T>::clear_prefix(facility, T::DaysKept::get(), None);
			Self::deposit_event(Event::FacilityDeregistered { facility, owner: who });
			Ok(())
		}

		/// Appoints a certifier.
		///
		/// Origin: [`Config::GovernanceOrigin`]. Emits [`Event::CertifierAppointed`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::appoint_certifier())]
		pub fn appoint_certifier(origin: OriginFor<T>, certifier: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
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
		/// Origin: [`Config::GovernanceOrigin`]. Emits [`Event::CertifierRemoved`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::remove_certifier())]
		pub fn remove_certifier(origin: OriginFor<T>, certifier: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Certifiers::<T>::take(&certifier).ok_or(Error::<T>::NotCertifier)?;
			CertifierCount::<T>::mutate(|c| *c = c.saturating_sub(1));
			Self::deposit_event(Event::CertifierRemoved { certifier });
			Ok(())
		}

		/// Certifies a facility until grid time `until_ms`: a pending one, a suspended one
		/// again, or a certified one for longer. A revoked one stays revoked.
		///
		/// Origin: a certifier. Emits [`Event::FacilityCertified`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::certify())]
		pub fn certify(
			origin: OriginFor<T>,
			facility: FacilityId,
			until_ms: u64,
		) -> DispatchResult {
			let certifier = Self::ensure_certifier(origin)?;
			ensure!(until_ms > T::Clock::now_ms(), Error::<T>::ExpiryInPast);
			Self::transition(facility, |c| {
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
		/// Origin: a certifier. Emits [`Event::FacilitySuspended`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::suspend())]
		pub fn suspend(
			origin: OriginFor<T>,
			facility: FacilityId,
			reason: Reason,
		) -> DispatchResult {
			let certifier = Self::ensure_certifier(origin)?;
			Self::transition(facility, |c| {
				ensure!(matches!(c, Certification::Certified { .. }), Error::<T>::NotCertified);
				*c = Certification::Suspended { reason: reason.clone() };
				Ok(())
			})?;
			Self::deposit_event(Event::FacilitySuspended { facility, certifier, reason });
			Ok(())
		}

		/// Revokes a facility's certification for good.
		///
		/// Origin: a certifier. Emits [`Event::FacilityRevoked`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::revoke())]
		pub fn revoke(
			origin: OriginFor<T>,
			facility: FacilityId,
			reason: Reason,
		) -> DispatchResult {
			let certifier = Self::ensure_certifier(origin)?;
			Self::transition(facility, |c| {
				ensure!(!matches!(c, Certification::Revoked { .. }), Error::<T>::Revoked);
				*c = Certification::Revoked { reason: reason.clone() };
				Ok(())
			})?;
			Self::deposit_event(Event::FacilityRevoked { facility, certifier, reason });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The production slot of `day`.
		pub(crate) fn day_slot(day: DayIndex) -> u32 {
			day.0.checked_rem(T::DaysKept::get()).unwrap_or(0)
		}

		/// A facility's production from day `from` to `to` inclusive that is still kept (at
		/// most [`Config::DaysKept`] days read); `None` for an unknown facility.
		pub fn facility_report(
			facility: FacilityId,
			from: DayIndex,
			to: DayIndex,
		) -> Option<ProductionReport> {
			let f = Facilities::<T>::get(facility)?;
			let first = from.0.max(to.0.saturating_sub(T::DaysKept::get().saturating_sub(1)));
			let mut sum = ProductionDay::default();
			for day in first..=to.0 {
				let kept = FacilityDays::<T>::get(facility, Self::day_slot(DayIndex(day)));
				if let Some((d, p)) = kept {
					if d == DayIndex(day) {
						sum.merge(&p);
					}
				}
			}
			Some(sum.report(f.capacity, T::Clock::interval_length_ms()))
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

		/// Applies `change` to a facility's certification.
		fn transition(
			facility: FacilityId,
			change: impl FnOnce(&mut Certification<T::AccountId>) -> DispatchResult,
		) -> DispatchResult {
			Facilities::<T>::try_mutate(facility, |f| {
				let f = f.as_mut().ok_or(Error::<T>::UnknownFacility)?;
				change(&mut f.certification)
			})
		}

		/// Checks the invariants: every facility is listed under its producer and indexed by
		/// its meter, ids are below the next id, the certifier count is right, and each
		/// producer's held deposit covers their facilities' deposits.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use frame_support::traits::fungible::InspectHold;
			use sp_runtime::traits::{Saturating, Zero};

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
					FacilityOfMeter::<T>::get(f.meter) == Some(id),
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
			assert!(T::DaysKept::get() > 0, "production days need a slot");
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

impl<T: Config> daeg_primitives::metering::OnFinalInterval for Pallet<T> {
	/// Counts a final value of a facility's meter as the facility's production.
	fn on_final(meter: MeterId, record: &daeg_primitives::metering::IntervalRecord) {
		use daeg_primitives::GridClock;
		let Some(facility) = FacilityOfMeter::<T>::get(meter) else { return };
		let Some(f) = Facilities::<T>::get(facility) else { return };
		let Some(day) = record.interval.day(T::Clock::interval_length_ms()) else { return };
		let slot = Self::day_slot(day);
		let interval = ProductionDay {
			energy: record.exported,
			intervals: 1,
			producing: u32::from(!record.exported.is_zero()),
			estimated: u32::from(record.quality.is_estimated()),
		};
		FacilityDays::<T>::mutate(facility, slot, |entry| match entry {
			Some((d, p)) if *d == day => p.merge(&interval),
			_ => *entry = Some((day, interval)),
		});
		SourceZoneDays::<T>::mutate((slot, f.source, f.zone), |entry| match entry {
			Some((d, e)) if *d == day => *e = e.saturating_add(record.exported),
			_ => *entry = Some((day, record.exported)),
		});
	}

	fn weight() -> frame_support::weights::Weight {
		T::WeightInfo::on_final_interval()
	}
}

impl<T: Config> FacilityRegistry<T::AccountId> for Pallet<T> {
	fn facility(id: FacilityId) -> Option<FacilityInfo<T::AccountId>> {
		Facilities::<T>::get(id).map(|f| FacilityInfo {
			owner: f.owner,
			source: f.source,
			capacity: f.capacity,
			zone: f.zone,
			meter: f.meter,
		})
	}

	fn may_sell(id: FacilityId, at_ms: u64) -> bool {
		Facilities::<T>::get(id).is_some_and(
			|f| matches!(f.certification, Certification::Certified { until_ms, .. } if at_ms < until_ms),
		)
	}
}
