//! Benchmarks of the pricing pallet (frame-benchmarking v2). `weights.rs` is generated from
//! them by `scripts/benchmark.sh pricing`.

use super::*;
use crate::Pallet as Pricing;
use alloc::vec::Vec;
use daeg_primitives::{
	market::{OrderId, ZoneLink},
	IntervalIndex, Power,
};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		EnsureOrigin, Get,
	},
	BoundedVec,
};
use frame_system::RawOrigin;
use sp_runtime::traits::Saturating;

/// Grid time in benchmarks: about 2027, at an interval's start.
const NOW_MS: u64 = 1_800_000_000_000;
/// Zones benchmarks use: the runtime must know 0 to 3.
const ZONES: u16 = 4;

/// An account with plenty to hold.
fn funded<T: Config>(name: &'static str, i: u32) -> T::AccountId {
	let who: T::AccountId = account(name, i, 0);
	let plenty = T::Currency::minimum_balance().saturating_mul(1_000_000_000u32.into());
	T::Currency::set_balance(&who, plenty);
	who
}

/// The first interval open for orders, with grid time set.
fn open_interval<T: Config>() -> IntervalIndex {
	Pricing::<T>::set_now_ms(NOW_MS);
	let current = Pricing::<T>::current_interval();
	IntervalIndex(current.0.saturating_add(T::GateClosureIntervals::get()).saturating_add(1))
}

/// Links joining the benchmark zones in a ring, as many as allowed.
fn ring<T: Config>() -> BoundedVec<ZoneLink, T::MaxLinks> {
	let links = (0..ZONES)
		.map(|z| ZoneLink {
			a: ZoneId(z),
			b: ZoneId((z + 1) % ZONES),
			a_to_b: Power(20_000),
			b_to_a: Power(20_000),
		})
		.take(T::MaxLinks::get() as usize)
		.collect::<Vec<_>>();
	BoundedVec::truncate_from(links)
}

/// A book of `n` orders for `interval`: alternating bids and asks over the zones at spread
/// prices, so that clearing trades across every link.
fn fill_book<T: Config>(interval: IntervalIndex, n: u32) -> Result<(), BenchmarkError> {
	let buyer = funded::<T>("buyer", 0);
	let seller = funded::<T>("seller", 0);
	let meters: Vec<MeterId> = (0..ZONES).map(|z| T::Helper::meter(&buyer, ZoneId(z))).collect();
	let facilities: Vec<FacilityId> =
		(0..ZONES).map(|z| T::Helper::selling_facility(&seller, ZoneId(z))).collect();
	let mut page: Vec<OrderOf<T>> = Vec::new();
	for k in 0..n {
		let zone = (k / 2) % u32::from(ZONES);
		let price = PricePerKWh(u128::from(100 + (k * 7919) % 1_000));
		let (owner, origin, energy) = if k % 2 == 0 {
			(buyer.clone(), Origin::Meter(meters[zone as usize]), 1_000 + u64::from(k % 97))
		} else {
			(seller.clone(), Origin::Facility(facilities[zone as usize]), 1_000 + u64::from(k % 89))
		};
		page.push(Order {
			owner,
			origin,
			zone: ZoneId(zone as u16),
			energy: Energy(energy),
			price,
			held: Default::default(),
			filled: Energy::ZERO,
		});
		let (p, _) = Pricing::<T>::page_of(k);
		if page.len() as u32 == PAGE_SIZE || k.saturating_add(1) == n {
			Book::<T>::insert(interval, p, BoundedVec::truncate_from(core::mem::take(&mut page)));
		}
	}
	BookLen::<T>::insert(interval, n);
	Ok(())
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn place_bid() -> Result<(), BenchmarkError> {
		let interval = open_interval::<T>();
		let who = funded::<T>("buyer", 1);
		let meter = T::Helper::meter(&who, ZoneId(0));

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), meter, interval, Energy(5_000), PricePerKWh(300));

		assert_eq!(BookLen::<T>::get(interval), 1);
		Ok(())
	}

	#[benchmark]
	fn place_ask() -> Result<(), BenchmarkError> {
		let interval = open_interval::<T>();
		let who = funded::<T>("seller", 1);
		let facility = T::Helper::selling_facility(&who, ZoneId(0));

		#[extrinsic_call]
		_(RawOrigin::Signed(who), facility, interval, Energy(5_000), PricePerKWh(300));

		assert_eq!(BookLen::<T>::get(interval), 1);
		Ok(())
	}

	#[benchmark]
	fn cancel_order() -> Result<(), BenchmarkError> {
		let interval = open_interval::<T>();
		let who = funded::<T>("buyer", 1);
		let meter = T::Helper::meter(&who, ZoneId(0));
		Pricing::<T>::place_bid(
			RawOrigin::Signed(who.clone()).into(),
			meter,
			interval,
			Energy(5_000),
			PricePerKWh(300),
		)?;
		let id = OrderId { interval, slot: 0 };

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), id);

		assert_eq!(OrdersOf::<T>::get(&who, interval), 0);
		Ok(())
	}

	#[benchmark]
	fn set_links() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let links = ring::<T>();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, links.clone());

		assert_eq!(Links::<T>::get(), links);
		Ok(())
	}

	#[benchmark]
	fn set_price_limits() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let limits = PriceLimits { floor: PricePerKWh(1), cap: PricePerKWh(1_000_000) };

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, limits);

		assert_eq!(Limits::<T>::get(), limits);
		Ok(())
	}

	/// `n`: orders in the book, over four zones in a ring of links.
	#[benchmark]
	fn clear_interval(
		n: Linear<1, { T::MaxOrdersPerInterval::get() }>,
	) -> Result<(), BenchmarkError> {
		let interval = open_interval::<T>();
		Links::<T>::put(ring::<T>());
		fill_book::<T>(interval, n)?;

		#[block]
		{
			Pricing::<T>::clear_interval(interval);
		}

		assert!(Clearings::<T>::iter_prefix(interval).next().is_some());
		Ok(())
	}

	impl_benchmark_test_suite!(
		Pricing,
		crate::mock::ext(crate::mock::INTERVAL_MS),
		crate::mock::Test
	);
}
