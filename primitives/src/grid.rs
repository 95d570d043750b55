//! The grid every pallet works on, owned by the grid pallet (`pallet-grid`): its zones and
//! their limits, the links between zones, and the clock that says which market interval it is.
//! The other pallets read it through [`Grid`] and never keep a copy, so that metering, the
//! market and balancing agree on what "zone `z`" and "interval `i`" mean.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::{traits::Get, BoundedVec, Perbill};

use crate::{IntervalIndex, Power, ZoneId};

shared_type!(
	[Copy, Default]
	/// A zone's grid limits, as the operators set them.
	pub struct ZoneSpec {
		/// What its feeder or transformer carries.
		pub capacity: Power,
		/// The share of `capacity` at which demand response starts.
		pub peak_share: Perbill,
		/// The zone this one is a microgrid inside, if it is one.
		pub parent: Option<ZoneId>,
	}
);

shared_type!(
	[Copy]
	/// A link between two zones and the most power it carries each way.
	pub struct ZoneLink {
		/// One end.
		pub a: ZoneId,
		/// The other end.
		pub b: ZoneId,
		/// The most power from `a` to `b`.
		pub a_to_b: Power,
		/// The most power from `b` to `a`.
		pub b_to_a: Power,
	}
);

shared_type!(
	[Copy]
	/// How grid time runs on a chain faster than real time (the demo and research chains): from
	/// `chain_origin_ms` of the chain's clock on, grid time advances `rate` ms per ms, starting at
	/// `grid_origin_ms`. Set at genesis and never changed, so that interval `i` always means the
	/// same stretch of chain time. Production chains have none: grid time is the chain's time.
	pub struct TimeScale {
		/// The chain time (ms since the Unix epoch) grid time starts from.
		pub chain_origin_ms: u64,
		/// Grid time at `chain_origin_ms`.
		pub grid_origin_ms: u64,
		/// How many times faster grid time runs (at least 1).
		pub rate: u32,
	}
);

impl TimeScale {
	/// Grid time at chain time `chain_ms` (grid time stands at its origin before it).
	pub fn grid_ms(&self, chain_ms: u64) -> u64 {
		let elapsed = chain_ms.saturating_sub(self.chain_origin_ms);
		self.grid_origin_ms.saturating_add(elapsed.saturating_mul(u64::from(self.rate)))
	}

	/// The chain time grid time reaches `grid_ms` at (rounded up).
	pub fn chain_ms(&self, grid_ms: u64) -> u64 {
		let ahead = grid_ms.saturating_sub(self.grid_origin_ms);
		let elapsed = ahead.div_ceil(u64::from(self.rate.max(1)));
		self.chain_origin_ms.saturating_add(elapsed)
	}
}

/// The grid's clock: the market interval length and the current grid time. Every pallet that
/// reasons in intervals reads them from here, so that metering, markets and balancing agree on
/// what "interval `i`" means.
pub trait GridClock {
	/// The length of a market interval in milliseconds (never zero).
	fn interval_length_ms() -> u64;

	/// Grid time now, in milliseconds since the Unix epoch: the current block's timestamp, or
	/// on a chain with a [`TimeScale`], that timestamp scaled.
	fn now_ms() -> u64;

	/// How grid time runs faster than the chain's clock, on a demo or research chain.
	fn time_scale() -> Option<TimeScale> {
		None
	}

	/// The interval grid time is in now.
	fn current_interval() -> IntervalIndex {
		IntervalIndex::at(Self::now_ms(), Self::interval_length_ms()).unwrap_or_default()
	}

	/// Moves grid time to `at_ms`, so that benchmarks can place readings in time.
	#[cfg(feature = "runtime-benchmarks")]
	fn set_now_ms(at_ms: u64);

	/// How many whole intervals fit in `millis` milliseconds (at least one).
	fn intervals_in(millis: u64) -> u32 {
		let n = millis.checked_div(Self::interval_length_ms()).unwrap_or(1);
		u32::try_from(n).unwrap_or(u32::MAX).max(1)
	}
}

/// The grid: its zones, their limits, the links between them and its clock (the grid pallet).
pub trait Grid: GridClock {
	/// The number of zones: zone ids are below it.
	type MaxZones: Get<u32>;

	/// The most links between zones.
	type MaxLinks: Get<u32>;

	/// Whether `zone` is one of the grid's zones.
	fn is_zone(zone: ZoneId) -> bool {
		u32::from(zone.0) < Self::MaxZones::get()
	}

	/// The grid's zones, in id order.
	fn zones() -> impl Iterator<Item = ZoneId> {
		(0..Self::MaxZones::get()).filter_map(|z| u16::try_from(z).ok()).map(ZoneId)
	}

	/// `zone`'s limits; `None`: no capacity limit, not a microgrid.
	fn zone(zone: ZoneId) -> Option<ZoneSpec>;

	/// The links between zones and their transfer limits.
	fn links() -> BoundedVec<ZoneLink, Self::MaxLinks>;

	/// Sets `zone`'s limits directly, for the other pallets' benchmarks.
	#[cfg(feature = "runtime-benchmarks")]
	fn set_zone(zone: ZoneId, spec: Option<ZoneSpec>);

	/// Sets the links directly, for the other pallets' benchmarks.
	#[cfg(feature = "runtime-benchmarks")]
	fn set_links(links: BoundedVec<ZoneLink, Self::MaxLinks>);
}
