//! Benchmarks of the metering pallet (frame-benchmarking v2). `weights.rs` is generated from
//! them by `scripts/benchmark.sh consumption`.

use super::*;
use crate::Pallet as Consumption;
use alloc::vec::Vec;
use codec::Decode;
use daeg_primitives::{
	metering::{MeterBenchmarkHelper, Quality, Reading},
	Energy, GridClock, IntervalIndex,
};
use frame_benchmarking::v2::*;
use frame_support::pallet_prelude::{Authorize, TransactionSource};
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	Contains, EnsureOrigin, Get,
};
use frame_system::RawOrigin;
use sp_runtime::{traits::Saturating, RuntimeAppPublic};

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

/// The interval benchmark meters read their baseline at (any interval far from zero works).
const BASE: IntervalIndex = IntervalIndex(1_000_000);

/// `n` active meters with keys from the keystore, each with its last reading at [`BASE`]
/// (counter 1, registers at zero) and a signed reading `gap` intervals later; grid time is set
/// to just after the readings' interval, so that the whole gap is still open. Owners hold at
/// most [`Config::MaxMetersPerOwner`] meters each.
fn meters_with_readings<T: Config>(
	n: u32,
	gap: u32,
) -> Result<Vec<(MeterId, Reading, MeterSignature)>, BenchmarkError> {
	let interval = BASE.checked_add(gap).ok_or(BenchmarkError::Stop("interval overflow"))?;
	let length = T::Clock::interval_length_ms();
	let measured_at = interval.end_ms(length).ok_or(BenchmarkError::Stop("time overflow"))?;
	T::Clock::set_now_ms(measured_at.saturating_add(1));
	let genesis = frame_system::Pallet::<T>::block_hash(
		frame_system::pallet_prelude::BlockNumberFor::<T>::from(0u32),
	);
	let per_owner = T::MaxMetersPerOwner::get().max(1);
	let mut out = Vec::new();
	for i in 0..n {
		let owner: T::AccountId = account("reader", i / per_owner, 0);
		let amount = T::MeterDeposit::get()
			.saturating_mul(per_owner.into())
			.saturating_add(T::Currency::minimum_balance());
		if i % per_owner == 0 {
			T::Currency::set_balance(&owner, amount);
		}
		let key = MeterPublic::generate_pair(None);
		let id = NextMeterId::<T>::get();
		Consumption::<T>::install_meter(
			RawOrigin::Signed(owner).into(),
			MeterKind::Bidirectional,
			ZONE,
			Power(10_000),
			key.clone(),
		)?;
		let origin =
			T::ActivateOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		Consumption::<T>::activate_meter(origin, id)?;
		Meters::<T>::mutate(id, |m| {
			if let Some(m) = m {
				m.readings.counter = 1;
				m.readings.last =
					Some(LastReading { interval: BASE, imported: Energy(0), exported: Energy(0) });
			}
		});
		let reading = Reading {
			meter: id,
			interval,
			imported: Energy(u64::from(gap).saturating_mul(100)),
			exported: Energy(0),
			measured_at,
			counter: 2,
		};
		let signature = key
			.sign(&reading.signing_payload(genesis.as_ref()))
			.ok_or(BenchmarkError::Stop("the keystore cannot sign"))?;
		out.push((id, reading, signature));
	}
	Ok(out)
}

/// One meter with a reading `gap` intervals after its last (see [`meters_with_readings`]).
fn meter_with_reading<T: Config>(
	gap: u32,
) -> Result<(MeterId, Reading, MeterSignature), BenchmarkError> {
	meters_with_readings::<T>(1, gap)?.pop().ok_or(BenchmarkError::Stop("no meter"))
}

/// A batch of `n` readings, one per meter, each one interval after its meter's last.
fn batch<T: Config>(n: u32) -> Result<(Vec<MeterId>, ReadingBatchOf<T>), BenchmarkError> {
	let readings = meters_with_readings::<T>(n, 1)?;
	let ids = readings.iter().map(|(id, _, _)| *id).collect();
	let batch = readings.into_iter().map(|(_, r, s)| (r, s)).collect::<Vec<_>>();
	Ok((ids, batch.try_into().map_err(|_| BenchmarkError::Stop("batch too long"))?))
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

	/// `m`: meters the caller owns, the removed one among them; `h`: intervals in the removed
	/// meter's history.
	#[benchmark]
	fn remove_meter(
		m: Linear<1, { T::MaxMetersPerOwner::get() }>,
		h: Linear<0, { Consumption::<T>::history_length() }>,
	) -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner");
		let ids = install_many::<T>(&owner, m, 0)?;
		// The first is the costliest to find and remove from the owner's list.
		let id = ids[0];
		for i in 0..h {
			let record = IntervalRecord {
				interval: IntervalIndex(i),
				imported: Energy(1),
				exported: Energy(0),
				quality: Quality::Measured,
				anomaly: None,
			};
			History::<T>::insert(id, i, record);
		}

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), id);

		assert!(!Meters::<T>::contains_key(id));
		assert_eq!(MetersOf::<T>::get(&owner).len() as u32, m.saturating_sub(1));
		assert_eq!(History::<T>::iter_prefix(id).count(), 0);
		Ok(())
	}

	/// `g`: intervals since the meter's last reading, all still open (one: a plain reading;
	/// more: a gap interpolated over `g` intervals).
	#[benchmark]
	fn submit_reading(g: Linear<1, 120>) -> Result<(), BenchmarkError> {
		let g = g
			.min(Consumption::<T>::max_interpolation_gap())
			.min(Consumption::<T>::lateness_window());
		let (id, reading, signature) = meter_with_reading::<T>(g)?;

		#[extrinsic_call]
		_(frame_system::Origin::<T>::Authorized, reading, signature);

		let last = BASE.checked_add(g).ok_or(BenchmarkError::Stop("interval overflow"))?;
		let record = Consumption::<T>::record(id, last).ok_or("the reading was not recorded")?;
		assert_eq!(record.quality, if g == 1 { Quality::Measured } else { Quality::Interpolated });
		Ok(())
	}

	/// The transaction pool's check of a reading, signature included.
	#[benchmark]
	fn authorize_submit_reading() -> Result<(), BenchmarkError> {
		let (_, reading, signature) = meter_with_reading::<T>(1)?;
		let call = Call::<T>::submit_reading { reading, signature };

		#[block]
		{
			call.authorize(TransactionSource::External)
				.ok_or("the call must be authorizable")?
				.map_err(|_| "the reading must be valid")?;
		}
		Ok(())
	}

	/// `n`: readings in the batch.
	#[benchmark]
	fn submit_readings(
		n: Linear<1, { T::MaxReadingsPerBatch::get() }>,
	) -> Result<(), BenchmarkError> {
		let (ids, readings) = batch::<T>(n)?;

		#[extrinsic_call]
		_(frame_system::Origin::<T>::Authorized, readings);

		let interval = BASE.checked_add(1).ok_or(BenchmarkError::Stop("interval overflow"))?;
		for id in ids {
			assert!(Consumption::<T>::record(id, interval).is_some(), "every reading recorded");
		}
		Ok(())
	}

	/// The transaction pool's check of a batch of `n` readings, signatures included.
	#[benchmark]
	fn authorize_submit_readings(
		n: Linear<1, { T::MaxReadingsPerBatch::get() }>,
	) -> Result<(), BenchmarkError> {
		let (_, readings) = batch::<T>(n)?;
		let call = Call::<T>::submit_readings { readings };

		#[block]
		{
			call.authorize(TransactionSource::External)
				.ok_or("the call must be authorizable")?
				.map_err(|_| "the batch must be valid")?;
		}
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
				readings: Default::default(),
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
