//! Benchmarks of the grid pallet (frame-benchmarking v2). `weights.rs` is generated from them
//! by `scripts/benchmark.sh grid`.

use super::*;
use alloc::vec::Vec;
use daeg_primitives::Power;
use frame_benchmarking::v2::*;
use frame_support::traits::{EnsureOrigin, Get};
use sp_runtime::Perbill;

fn operators<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::OperatorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

fn spec(parent: Option<ZoneId>) -> ZoneSpec {
	ZoneSpec { capacity: Power(1_000_000), peak_share: Perbill::from_percent(80), parent }
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// The worst case: making a zone a microgrid, which reads its parent and every zone (none
	/// of which may be a microgrid inside it), with every zone's limits set.
	#[benchmark]
	fn set_zone() -> Result<(), BenchmarkError> {
		let origin = operators::<T>()?;
		let zones = T::MaxZones::get();
		if zones < 2 {
			return Err(BenchmarkError::Weightless);
		}
		for z in 0..zones {
			let z = u16::try_from(z).map_err(|_| BenchmarkError::Weightless)?;
			Zones::<T>::insert(ZoneId(z), spec(None));
		}
		let microgrid = spec(Some(ZoneId(0)));

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, ZoneId(1), Some(microgrid));

		assert_eq!(Zones::<T>::get(ZoneId(1)), Some(microgrid));
		Ok(())
	}

	/// The worst case: as many links as allowed, each checked against every other.
	#[benchmark]
	fn set_links() -> Result<(), BenchmarkError> {
		let origin = operators::<T>()?;
		let zones = u16::try_from(T::MaxZones::get()).unwrap_or(u16::MAX);
		let links = (0..zones)
			.flat_map(|a| (a.saturating_add(1)..zones).map(move |b| (a, b)))
			.map(|(a, b)| ZoneLink {
				a: ZoneId(a),
				b: ZoneId(b),
				a_to_b: Power(20_000),
				b_to_a: Power(20_000),
			})
			.take(T::MaxLinks::get() as usize)
			.collect::<Vec<_>>();
		let links = BoundedVec::truncate_from(links);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, links.clone());

		assert_eq!(Links::<T>::get(), links);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ext(), crate::mock::Test);
}
