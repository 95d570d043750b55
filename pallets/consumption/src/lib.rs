//! # Consumption pallet: DAEG's metering
//!
//! The registry of smart meters, and (as the metering issue progresses) their device-signed
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
	metering::{MeterInfo, MeterKind, MeterPublic, MeterRegistry, MeterStatus},
	MeterId, Power, ZoneId,
};
use frame_support::traits::fungible;
use scale_info::TypeInfo;

/// The balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// A registered meter.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
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
}

/// A meter as stored by this pallet's configuration.
pub type MeterOf<T> = Meter<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	frame_system::pallet_prelude::BlockNumberFor<T>,
>;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
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

	/// Configuration of the metering pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config {
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

		/// The grid zones meters may be installed in.
		type Zones: Contains<ZoneId>;

		/// Who activates and suspends meters: certifiers or the grid operators.
		type ActivateOrigin: EnsureOrigin<Self::RuntimeOrigin>;

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

	/// Every registered meter.
	#[pallet::storage]
	pub type Meters<T: Config> = StorageMap<_, Twox64Concat, MeterId, MeterOf<T>>;

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
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
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
			ensure!(T::Zones::contains(&zone), Error::<T>::UnknownZone);
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
				},
			);
			DeviceKeys::<T>::insert(device_key, meter);
			NextMeterId::<T>::put(next);
			Self::deposit_event(Event::MeterInstalled { meter, owner, kind, zone });
			Ok(())
		}

		/// Activates a meter after checking it: from now on its readings count.
		///
		/// Origin: [`Config::ActivateOrigin`]. Emits [`Event::MeterActivated`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::activate_meter())]
		pub fn activate_meter(origin: OriginFor<T>, meter: MeterId) -> DispatchResult {
			T::ActivateOrigin::ensure_origin(origin)?;
			Self::set_status(meter, MeterStatus::Active, Error::<T>::AlreadyActive)?;
			Self::deposit_event(Event::MeterActivated { meter });
			Ok(())
		}

		/// Suspends a meter: its readings are refused until it is activated again.
		///
		/// Origin: [`Config::ActivateOrigin`]. Emits [`Event::MeterSuspended`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::suspend_meter())]
		pub fn suspend_meter(origin: OriginFor<T>, meter: MeterId) -> DispatchResult {
			T::ActivateOrigin::ensure_origin(origin)?;
			Self::set_status(meter, MeterStatus::Suspended, Error::<T>::AlreadySuspended)?;
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

		/// Removes one of the caller's meters and returns its deposit.
		///
		/// Emits [`Event::MeterRemoved`].
		///
		/// ## Complexity
		/// - O(M), M the caller's meters (bounded by [`Config::MaxMetersPerOwner`]).
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::remove_meter(T::MaxMetersPerOwner::get()))]
		pub fn remove_meter(origin: OriginFor<T>, meter: MeterId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let m = Meters::<T>::get(meter).ok_or(Error::<T>::UnknownMeter)?;
			ensure!(m.owner == who, Error::<T>::NotOwner);

			T::Currency::release(
				&HoldReason::MeterDeposit.into(),
				&who,
				m.deposit,
				Precision::BestEffort,
			)?;
			MetersOf::<T>::mutate_exists(&who, |ids| {
				if let Some(list) = ids {
					list.retain(|id| *id != meter);
					if list.is_empty() {
						*ids = None;
					}
				}
			});
			DeviceKeys::<T>::remove(&m.device_key);
			Meters::<T>::remove(meter);
			Self::deposit_event(Event::MeterRemoved { meter, owner: who });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Moves `meter` to `status`, failing with `unchanged` if it is there already.
		fn set_status(meter: MeterId, status: MeterStatus, unchanged: Error<T>) -> DispatchResult {
			Meters::<T>::try_mutate(meter, |m| {
				let m = m.as_mut().ok_or(Error::<T>::UnknownMeter)?;
				ensure!(m.status != status, unchanged);
				m.status = status;
				Ok(())
			})
		}

		/// Checks the registry's invariants: every meter is listed under its owner, every
		/// device key points at its meter, ids are below the next id, and each owner's held
		/// deposit covers their meters' deposits.
		#[cfg(any(feature = "try-runtime", test))]
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
