//! Benchmarks of the metering pallet (frame-benchmarking v2). `weights.rs` is generated from
//! them by `scripts/benchmark.sh consumption`.

use super::*;
use crate::Pallet as Consumption;
use alloc::vec::Vec;
use codec::Decode;
use daeg_primitives::metering::MeterBenchmarkHelper;
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	Contains, EnsureOrigin, Get,
};
use frame_system::RawOrigin;
use sp_runtime::traits::Saturating;

/// The zone benchmarks install meters in: the runtime's `Zones` must contain it.
const ZONE: ZoneId = ZoneId(0);

/// A distinct device key for each `i`.
fn device_key(i: u32) -> MeterPublic {
	let mut raw = [0u8; 32];
	raw[..4].copy_from_slice(&i.to_le_bytes());
	MeterPublic::decode(&mut &raw[..]).expect("32 bytes decode as a public key")
}

/// An account that can pay many meter deposits.
fn funded<T: Config>(name: &'static str) -> T::AccountId {
	let who: T::AccountId = account(name, 0, 0);
	let amount = T::MeterDeposit::get()
		.saturating_mul(1_000u32.into())
		.saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(&who, amount);
	who
}

/// Installs `n` meters owned by `owner`, with keys from `first_key`.
fn install_many<T: Config>(
	owner: &T::AccountId,
	n: u32,
	first_key: u32,
) -> Result<Vec<MeterId>, BenchmarkError> {
	if !T::Zones::contains(&ZONE) {
		return Err(BenchmarkError::Stop("benchmarks need zone 0 to exist"));
	}
	let mut ids = Vec::new();
	for i in 0..n {
		ids.push(NextMeterId::<T>::get());
		Consumption::<T>::install_meter(
			RawOrigin::Signed(owner.clone()).into(),
			MeterKind::Bidirectional,
			ZONE,
			Power(10_000),
			device_key(first_key.saturating_add(i)),
		)?;
	}
	Ok(ids)
}

/// One installed meter, and the origin that may activate or suspend it.
fn installed_meter_and_activator<T: Config>() -> Result<(MeterId, T::RuntimeOrigin), BenchmarkError>
{
	let owner = funded::<T>("owner");
	let id = install_many::<T>(&owner, 1, 0)?[0];
	let origin =
		T::ActivateOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
	Ok((id, origin))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// `m`: meters the caller already owns.
	#[benchmark]
	fn install_meter(
		m: Linear<0, { T::MaxMetersPerOwner::get().saturating_sub(1) }>,
	) -> Result<(), BenchmarkError> {
		let caller = funded::<T>("owner");
		install_many::<T>(&caller, m, 1)?;
		let id = NextMeterId::<T>::get();

		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller.clone()),
			MeterKind::Production,
			ZONE,
			Power(5_000),
			device_key(0),
		);

		assert!(Meters::<T>::contains_key(id));
		assert_eq!(MetersOf::<T>::get(&caller).len() as u32, m.saturating_add(1));
		Ok(())
	}

	#[benchmark]
	fn activate_meter() -> Result<(), BenchmarkError> {
		let (id, origin) = installed_meter_and_activator::<T>()?;

		#[extrinsic_call]
		_(origin, id);

		assert_eq!(Meters::<T>::get(id).map(|m| m.status), Some(MeterStatus::Active));
		Ok(())
	}

	#[benchmark]
	fn suspend_meter() -> Result<(), BenchmarkError> {
		let (id, origin) = installed_meter_and_activator::<T>()?;

		#[extrinsic_call]
		_(origin, id);

		assert_eq!(Meters::<T>::get(id).map(|m| m.status), Some(MeterStatus::Suspended));
		Ok(())
	}

	#[benchmark]
	fn rotate_device_key() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner");
		let id = install_many::<T>(&owner, 1, 0)?[0];

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id, device_key(1));

		assert_eq!(DeviceKeys::<T>::get(device_key(1)), Some(id));
		Ok(())
	}

	/// `m`: meters the caller owns, the removed one among them.
	#[benchmark]
	fn remove_meter(m: Linear<1, { T::MaxMetersPerOwner::get() }>) -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner");
		let ids = install_many::<T>(&owner, m, 0)?;
		// The first is the costliest to find and remove from the owner's list.
		let id = ids[0];

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), id);

		assert!(!Meters::<T>::contains_key(id));
		assert_eq!(MetersOf::<T>::get(&owner).len() as u32, m.saturating_sub(1));
		Ok(())
	}

	impl_benchmark_test_suite!(Consumption, crate::mock::new_test_ext(), crate::mock::Test);
}

impl<T: Config> MeterBenchmarkHelper<T::AccountId> for Pallet<T> {
	fn active_meter(owner: &T::AccountId, kind: MeterKind, zone: ZoneId) -> MeterId {
		let id = NextMeterId::<T>::get();
		let next = id.next().unwrap_or(id);
		let key = device_key(u32::MAX.saturating_sub(id.0 as u32));
		Meters::<T>::insert(
			id,
			Meter {
				owner: owner.clone(),
				kind,
				zone,
				max_power: Power(1_000_000),
				device_key: key.clone(),
				status: MeterStatus::Active,
				deposit: sp_runtime::traits::Zero::zero(),
				installed_at: frame_system::Pallet::<T>::block_number(),
			},
		);
		DeviceKeys::<T>::insert(key, id);
		MetersOf::<T>::mutate(owner, |ids| {
			let _ = ids.try_push(id);
		});
		NextMeterId::<T>::put(next);
		id
	}
}
