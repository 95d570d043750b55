//! # Grid pallet: the zones, the links and the clock
//!
//! The grid DAEG's market and balancing work on, in one place: which zones there are
//! (`0..MaxZones`), each zone's limits (its feeder's capacity, the share of it at which demand
//! response starts, the zone it is a microgrid inside), the links between zones with their
//! transfer limits, and the market-interval clock. Every other pallet reads them through
//! [`daeg_primitives::Grid`], which this pallet implements, and keeps no copy: metering,
//! the market and balancing cannot disagree on what "zone `z`" or "interval `i`" means.
//!
//! ## Calls
//!
//! The grid operators ([`Config::OperatorOrigin`]) set a zone's limits ([`Pallet::set_zone`])
//! and the links ([`Pallet::set_links`]). The interval length and a demo chain's time scale are
//! set at genesis only: interval indices and every history kept by interval depend on them.
//!
//! ## Market intervals
//!
//! Interval `i` covers grid time `[i × L, (i + 1) × L)` milliseconds since the Unix epoch,
//! where `L` is the [`IntervalLength`] set in the chain's genesis (15 minutes by default; the
//! development chain uses a short one so that markets turn over quickly). Grid time is the
//! block timestamp, so intervals line up with wall-clock quarter-hours like a real market's
//! and a meter that reads at the wall clock's interval boundary reads the chain's; a demo or
//! research chain may run grid time faster ([`GridTimeScale`]). The length must divide an
//! hour, so that hours (of certificates, tariffs and the time-of-day schedule) are made of
//! whole intervals.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod migrations;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

use daeg_primitives::{
	grid::{Grid, GridClock, TimeScale, ZoneLink, ZoneSpec},
	ZoneId,
};
use frame_support::BoundedVec;

/// The default interval length: a quarter-hour.
pub const DEFAULT_INTERVAL_MS: u64 = 15 * 60_000;

/// Whether `length_ms` is a valid interval length: above zero and dividing an hour.
pub const fn is_valid_interval_length(length_ms: u64) -> bool {
	length_ms > 0 && daeg_primitives::HOUR_MS.is_multiple_of(length_ms)
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;

	/// The in-code storage version: 1 since the grid's state moved in from the market and
	/// balancing ([`crate::migrations::v1`]).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the grid pallet. Grid time is `pallet_timestamp`'s.
	#[pallet::config]
	pub trait Config: frame_system::Config + pallet_timestamp::Config<Moment = u64> {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The grid operators (their multisig, or Root).
		type OperatorOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The number of zones: zone ids are below it.
		#[pallet::constant]
		type MaxZones: Get<u32>;

		/// The most links between zones.
		#[pallet::constant]
		type MaxLinks: Get<u32>;

		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// The default of [`IntervalLength`].
	#[pallet::type_value]
	pub fn DefaultIntervalLength() -> u64 {
		DEFAULT_INTERVAL_MS
	}

	/// The length of a market interval in milliseconds; set at genesis, divides an hour.
	#[pallet::storage]
	pub type IntervalLength<T> = StorageValue<_, u64, ValueQuery, DefaultIntervalLength>;

	/// How grid time runs faster than the chain's clock, on a demo or research chain (set at
	/// genesis only: changing it would move every interval); none on a production chain.
	#[pallet::storage]
	pub type GridTimeScale<T> = StorageValue<_, TimeScale, OptionQuery>;

	/// Each zone's limits (a zone without: no capacity limit, not a microgrid).
	#[pallet::storage]
	pub type Zones<T> = StorageMap<_, Twox64Concat, ZoneId, ZoneSpec>;

	/// The links between zones and their transfer limits.
	#[pallet::storage]
	pub type Links<T: Config> = StorageValue<_, BoundedVec<ZoneLink, T::MaxLinks>, ValueQuery>;

	/// The grid at genesis.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The interval length in milliseconds (0: the default quarter-hour).
		pub interval_length_ms: u64,
		/// How grid time runs faster than the chain's clock (demo and research chains only).
		pub time_scale: Option<TimeScale>,
		/// Each zone's limits.
		pub zones: alloc::vec::Vec<(ZoneId, ZoneSpec)>,
		/// The links between zones.
		pub links: alloc::vec::Vec<ZoneLink>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if self.interval_length_ms != 0 {
				assert!(
					is_valid_interval_length(self.interval_length_ms),
					"the interval length must be above zero and divide an hour"
				);
				IntervalLength::<T>::put(self.interval_length_ms);
			}
			if let Some(scale) = self.time_scale {
				assert!(scale.rate >= 1, "grid time cannot run slower than the chain's clock");
				GridTimeScale::<T>::put(scale);
			}
			for (zone, spec) in &self.zones {
				assert!(Pallet::<T>::check_zone(*zone, spec).is_ok(), "zones are valid");
				Zones::<T>::insert(zone, spec);
			}
			let links = BoundedVec::try_from(self.links.clone());
			assert!(links.is_ok(), "at most MaxLinks links");
			let links = links.unwrap_or_default();
			assert!(Pallet::<T>::check_links(&links).is_ok(), "links are valid");
			Links::<T>::put(links);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// The operators set a zone's limits (`None`: removed them).
		ZoneSet { zone: ZoneId, spec: Option<ZoneSpec> },
		/// The operators replaced the links between zones.
		LinksSet { links: BoundedVec<ZoneLink, T::MaxLinks> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// A zone id is not below [`Config::MaxZones`].
		UnknownZone,
		/// A zone's capacity is zero; or it would be a microgrid inside itself, inside an
		/// unknown zone, inside another microgrid, or while other microgrids are inside it.
		BadZone,
		/// A link joins a zone to itself, or two zones are linked twice.
		BadLink,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxZones::get() > 0, "the grid needs a zone");
			assert!(T::MaxZones::get() <= u32::from(u16::MAX) + 1, "zone ids are u16");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Sets `zone`'s limits (`None`: removes them).
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::ZoneSet`].
		///
		/// ## Complexity
		/// O([`Config::MaxZones`]) reads when `spec` makes `zone` a microgrid (no zone may be
		/// a microgrid inside it); one read otherwise.
		#[pallet::call_index(0)]
		#[pallet::weight(<T as Config>::WeightInfo::set_zone())]
		pub fn set_zone(
			origin: OriginFor<T>,
			zone: ZoneId,
			spec: Option<ZoneSpec>,
		) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			ensure!(Self::is_zone(zone), Error::<T>::UnknownZone);
			if let Some(s) = &spec {
				Self::check_zone(zone, s)?;
			}
			Zones::<T>::set(zone, spec);
			Self::deposit_event(Event::ZoneSet { zone, spec });
			Ok(())
		}

		/// Sets the links between zones and their transfer limits (replacing all).
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::LinksSet`].
		///
		/// ## Complexity
		/// O(n²) comparisons for n links (at most [`Config::MaxLinks`]), one write.
		#[pallet::call_index(1)]
		#[pallet::weight(<T as Config>::WeightInfo::set_links())]
		pub fn set_links(
			origin: OriginFor<T>,
			links: BoundedVec<ZoneLink, T::MaxLinks>,
		) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			Self::check_links(&links)?;
			Links::<T>::put(links.clone());
			Self::deposit_event(Event::LinksSet { links });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Fails unless `spec` may be `zone`'s: a capacity; and a parent, if any, that is
		/// another zone and not itself a microgrid, while no zone is a microgrid inside `zone`
		/// (microgrids do not nest, so that islanding one never islands another).
		pub(crate) fn check_zone(zone: ZoneId, spec: &ZoneSpec) -> DispatchResult {
			ensure!(Self::is_zone(zone), Error::<T>::UnknownZone);
			ensure!(spec.capacity.0 > 0, Error::<T>::BadZone);
			if let Some(parent) = spec.parent {
				ensure!(parent != zone && Self::is_zone(parent), Error::<T>::BadZone);
				let nested = Zones::<T>::get(parent).is_some_and(|p| p.parent.is_some());
				ensure!(!nested, Error::<T>::BadZone);
				let has_microgrids = <Self as Grid>::zones()
					.any(|z| Zones::<T>::get(z).is_some_and(|s| s.parent == Some(zone)));
				ensure!(!has_microgrids, Error::<T>::BadZone);
			}
			Ok(())
		}

		/// Fails unless every link joins two different zones of the grid and no two zones are
		/// linked twice.
		pub(crate) fn check_links(links: &[ZoneLink]) -> DispatchResult {
			let pair = |x: &ZoneLink| (x.a.min(x.b), x.a.max(x.b));
			for (i, l) in links.iter().enumerate() {
				ensure!(Self::is_zone(l.a) && Self::is_zone(l.b), Error::<T>::UnknownZone);
				ensure!(l.a != l.b, Error::<T>::BadLink);
				ensure!(
					!links.iter().skip(i.saturating_add(1)).any(|m| pair(m) == pair(l)),
					Error::<T>::BadLink
				);
			}
			Ok(())
		}

		/// The grid's invariants: a valid interval length and time scale, zones and links that
		/// the calls would accept.
		#[cfg(any(feature = "try-runtime", feature = "std", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			ensure!(
				is_valid_interval_length(IntervalLength::<T>::get()),
				"the interval length does not divide an hour"
			);
			ensure!(
				GridTimeScale::<T>::get().is_none_or(|s| s.rate >= 1),
				"grid time runs slower than the chain's clock"
			);
			for (zone, spec) in Zones::<T>::iter() {
				ensure!(Self::is_zone(zone), "limits of an unknown zone");
				ensure!(spec.capacity.0 > 0, "a zone without capacity");
				if let Some(parent) = spec.parent {
					ensure!(parent != zone && Self::is_zone(parent), "a bad microgrid parent");
					ensure!(
						Zones::<T>::get(parent).is_none_or(|p| p.parent.is_none()),
						"microgrids nest"
					);
				}
			}
			ensure!(Self::check_links(&Links::<T>::get()).is_ok(), "bad links");
			Ok(())
		}
	}
}

impl<T: Config> GridClock for Pallet<T> {
	fn interval_length_ms() -> u64 {
		IntervalLength::<T>::get()
	}

	fn now_ms() -> u64 {
		let chain = pallet_timestamp::Now::<T>::get();
		GridTimeScale::<T>::get().map_or(chain, |scale| scale.grid_ms(chain))
	}

	fn time_scale() -> Option<TimeScale> {
		GridTimeScale::<T>::get()
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn set_now_ms(at_ms: u64) {
		pallet_timestamp::Now::<T>::put(at_ms)
	}
}

impl<T: Config> Grid for Pallet<T> {
	type MaxZones = T::MaxZones;
	type MaxLinks = T::MaxLinks;

	fn zone(zone: ZoneId) -> Option<ZoneSpec> {
		Zones::<T>::get(zone)
	}

	fn links() -> BoundedVec<ZoneLink, T::MaxLinks> {
		Links::<T>::get()
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn set_zone(zone: ZoneId, spec: Option<ZoneSpec>) {
		Zones::<T>::set(zone, spec)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn set_links(links: BoundedVec<ZoneLink, T::MaxLinks>) {
		Links::<T>::put(links)
	}
}
