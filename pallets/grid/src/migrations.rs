//! Storage migrations of the grid pallet.

/// Version 1: the grid's state moves in from the two pallets that kept it before the grid
/// pallet existed — the market (`Pricing`: the interval length, the time scale and the links)
/// and balancing (`Balancing`: each zone's limits) — so that a chain started before keeps its
/// intervals, zones and links. Idempotent: what is no longer in the old place is not moved.
pub mod v1 {
	use crate::{Config, GridTimeScale, IntervalLength, Links, Pallet, Zones};
	use alloc::vec::Vec;
	use core::marker::PhantomData;
	use daeg_primitives::grid::ZoneLink;
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
		BoundedVec,
	};

	/// The items as the market and balancing kept them (`P`: the pallet's name in the runtime).
	pub mod old {
		use daeg_primitives::{
			grid::{TimeScale, ZoneLink, ZoneSpec},
			ZoneId,
		};
		use frame_support::{pallet_prelude::*, storage_alias};

		/// The market's interval length (ms).
		#[storage_alias(dynamic)]
		pub type IntervalLength<P: Get<&'static str>> = StorageValue<P, u64, OptionQuery>;

		/// The market's time scale.
		#[storage_alias(dynamic)]
		pub type GridTimeScale<P: Get<&'static str>> = StorageValue<P, TimeScale, OptionQuery>;

		/// The market's links (a bounded vector encodes as a vector).
		#[storage_alias(dynamic)]
		pub type Links<P: Get<&'static str>> =
			StorageValue<P, alloc::vec::Vec<ZoneLink>, OptionQuery>;

		/// Balancing's zone limits.
		#[storage_alias(dynamic)]
		pub type Zones<P: Get<&'static str>> = StorageMap<P, Twox64Concat, ZoneId, ZoneSpec>;
	}

	/// Moves the items; `Market` and `Balancing` name the pallets that kept them.
	pub struct MoveIn<T, Market, Balancing>(PhantomData<(T, Market, Balancing)>);

	impl<T, Market, Balancing> UncheckedOnRuntimeUpgrade for MoveIn<T, Market, Balancing>
	where
		T: Config,
		Market: Get<&'static str>,
		Balancing: Get<&'static str>,
	{
		fn on_runtime_upgrade() -> Weight {
			let (mut reads, mut writes) = (3u64, 0u64);
			if let Some(length) = old::IntervalLength::<Market>::take() {
				IntervalLength::<T>::put(length);
				writes = writes.saturating_add(2);
			}
			if let Some(scale) = old::GridTimeScale::<Market>::take() {
				GridTimeScale::<T>::put(scale);
				writes = writes.saturating_add(2);
			}
			if let Some(links) = old::Links::<Market>::take() {
				// The market's bound was the runtime's, as the grid's is: nothing is cut.
				Links::<T>::put(BoundedVec::<ZoneLink, T::MaxLinks>::truncate_from(links));
				writes = writes.saturating_add(2);
			}
			// At most the runtime's zones: a bounded drain.
			for (zone, spec) in old::Zones::<Balancing>::drain() {
				Zones::<T>::insert(zone, spec);
				reads = reads.saturating_add(1);
				writes = writes.saturating_add(2);
			}
			T::DbWeight::get().reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			use codec::Encode;
			let zones: Vec<_> = old::Zones::<Balancing>::iter().collect();
			frame_support::ensure!(
				zones.len() <= T::MaxZones::get() as usize,
				"balancing kept more zones than the grid has"
			);
			Ok((
				old::IntervalLength::<Market>::get(),
				old::GridTimeScale::<Market>::get(),
				old::Links::<Market>::get(),
				zones,
			)
				.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			use codec::Decode;
			use daeg_primitives::{
				grid::{TimeScale, ZoneSpec},
				ZoneId,
			};
			use frame_support::ensure;
			type Before =
				(Option<u64>, Option<TimeScale>, Option<Vec<ZoneLink>>, Vec<(ZoneId, ZoneSpec)>);
			let (length, scale, links, zones) = Before::decode(&mut &state[..])
				.map_err(|_| "the pre-upgrade state does not decode")?;
			if let Some(length) = length {
				ensure!(IntervalLength::<T>::get() == length, "the interval length moved wrong");
			}
			if scale.is_some() {
				ensure!(GridTimeScale::<T>::get() == scale, "the time scale moved wrong");
			}
			if let Some(links) = links {
				ensure!(Links::<T>::get().into_inner() == links, "the links moved wrong");
			}
			for (zone, spec) in zones {
				ensure!(Zones::<T>::get(zone) == Some(spec), "a zone's limits moved wrong");
			}
			ensure!(
				old::IntervalLength::<Market>::get().is_none()
					&& old::GridTimeScale::<Market>::get().is_none()
					&& old::Links::<Market>::get().is_none()
					&& old::Zones::<Balancing>::iter().next().is_none(),
				"the old items are left behind"
			);
			Pallet::<T>::do_try_state()
		}
	}

	/// [`MoveIn`] run once, from storage version 0 to 1. A chain started with the grid pallet is
	/// at version 1 from genesis and skips it.
	pub type MigrateToV1<T, Market, Balancing> = VersionedMigration<
		0,
		1,
		MoveIn<T, Market, Balancing>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
