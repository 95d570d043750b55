//! # Pricing pallet: DAEG's market
//!
//! The market's intervals come first, because every other part of the grid reasons in them:
//! this pallet owns the grid clock ([`GridClock`]). The auction that clears an interval's book
//! is [`clearing`]: a welfare-maximising uniform-price double auction over zones linked by
//! transfer limits. Orders, the clearing hook, dynamic prices and settlement follow in later
//! slices of the pricing issue (`docs/pricing.md`).
//!
//! ## Market intervals
//!
//! Interval `i` covers grid time `[i × L, (i + 1) × L)` milliseconds since the Unix epoch,
//! where `L` is the [`IntervalLength`] set in the chain's genesis (15 minutes by default; the
//! development chain uses a short one so that markets turn over quickly). Grid time is the
//! block timestamp, so intervals line up with wall-clock quarter-hours like a real market's
//! and a meter that reads at the wall clock's interval boundary reads the chain's.
//!
//! The length must divide an hour, so that hours (of certificates, tariffs and the
//! time-of-day schedule) are made of whole intervals. It is fixed at genesis: interval indices
//! and every history kept by interval depend on it.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

pub mod clearing;

#[cfg(test)]
mod tests;

use daeg_primitives::GridClock;

/// One hour in milliseconds: the interval length must divide it.
pub const HOUR_MS: u64 = 3_600_000;

/// The default interval length: a quarter-hour.
pub const DEFAULT_INTERVAL_MS: u64 = 15 * 60_000;

/// Whether `length_ms` is a valid interval length: above zero and dividing an hour.
pub const fn is_valid_interval_length(length_ms: u64) -> bool {
	length_ms > 0 && HOUR_MS.is_multiple_of(length_ms)
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the pricing pallet. Grid time is `pallet_timestamp`'s.
	#[pallet::config]
	pub trait Config: frame_system::Config + pallet_timestamp::Config<Moment = u64> {}

	/// The default of [`IntervalLength`].
	#[pallet::type_value]
	pub fn DefaultIntervalLength() -> u64 {
		DEFAULT_INTERVAL_MS
	}

	/// The length of a market interval in milliseconds; set at genesis, divides an hour.
	#[pallet::storage]
	pub type IntervalLength<T> = StorageValue<_, u64, ValueQuery, DefaultIntervalLength>;

	/// The market's genesis parameters.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The interval length in milliseconds (0: the default quarter-hour).
		pub interval_length_ms: u64,
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
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<frame_system::pallet_prelude::BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(
			_n: frame_system::pallet_prelude::BlockNumberFor<T>,
		) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	impl<T: Config> Pallet<T> {
		/// Checks the market's invariants: the interval length divides an hour.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			ensure!(
				is_valid_interval_length(IntervalLength::<T>::get()),
				"the interval length does not divide an hour"
			);
			Ok(())
		}
	}
}

impl<T: Config> GridClock for Pallet<T> {
	fn interval_length_ms() -> u64 {
		IntervalLength::<T>::get()
	}

	fn now_ms() -> u64 {
		pallet_timestamp::Now::<T>::get()
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn set_now_ms(at_ms: u64) {
		pallet_timestamp::Now::<T>::put(at_ms)
	}
}
