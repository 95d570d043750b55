//! Benchmarks of the consumption pallet (frame-benchmarking v2). `weights.rs` is generated from
//! them by `scripts/benchmark.sh consumption`.

use super::*;
use crate::Pallet as Consumption;
use alloc::vec::Vec;
use codec::Decode;
use daeg_primitives::{
	consumption::{DailyProfile, EnergyTotals, ProfileHour},
	consumption::{FlexibleLoad, MeterBenchmarkHelper, Quality, Reading},
	DayIndex, Grid, GridClock, IntervalIndex, MonthIndex, PricePerKWh,
};
use frame_benchmarking::v2::*;
use frame_support::pallet_prelude::{Authorize, TransactionSource};
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	EnsureOrigin, Get,
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
	if !T::Grid::is_zone(ZONE) {
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

/// A profile that knows every hour of the day.
fn full_profile() -> DailyProfile {
	[ProfileHour { imported: Energy(100), exported: Energy(10), samples: 8 }; 24]
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
	let length = T::Grid::interval_length_ms();
	let measured_at = interval.end_ms(length).ok_or(BenchmarkError::Stop("time overflow"))?;
	T::Grid::set_now_ms(measured_at.saturating_add(1));
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
			// 100 kW: the readings' 100 Wh an interval fit even the dev chains' 30 s.
			Power(100_000),
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

/// A meter whose next reading comes after a gap longer than the interpolation span, so that
/// its energy is spread by the meter's (full) profile over `g` open intervals: the costliest
/// way to record energy.
fn spread_reading<T: Config>(g: u32) -> Result<(MeterId, Reading, MeterSignature), BenchmarkError> {
	let gap = Consumption::<T>::max_interpolation_gap()
		.saturating_add(Consumption::<T>::max_spread())
		.saturating_add(1);
	let (id, reading, signature) = meter_with_reading::<T>(gap)?;
	Meters::<T>::mutate(id, |m| {
		if let Some(m) = m {
			m.readings.finalized = reading.interval.saturating_sub(g);
		}
	});
	Profiles::<T>::insert(id, full_profile());
	Ok((id, reading, signature))
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

	/// `h`: intervals in the removed meter's history. The owner holds the most meters it may
	/// (finding the meter in its list costs under 2 µs per meter, so that bound is charged
	/// always), and the meter has full day and month totals and a profile.
	#[benchmark]
	fn remove_meter(
		h: Linear<0, { Consumption::<T>::history_length() }>,
	) -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner");
		let m = T::MaxMetersPerOwner::get();
		let ids = install_many::<T>(&owner, m, 0)?;
		// The first is the costliest to find and remove from the owner's list.
		let id = ids[0];
		for d in 0..T::HistoryDays::get() {
			DayTotals::<T>::insert(id, d, (DayIndex(d), EnergyTotals::default()));
		}
		for m in 0..T::HistoryMonths::get() {
			MonthTotals::<T>::insert(id, m, (MonthIndex(m), EnergyTotals::default()));
		}
		Profiles::<T>::insert(id, full_profile());
		Preferences::<T>::insert(&owner, ConsumerPreferences::default());
		Priorities::<T>::insert(&owner, PriorityClass::Critical);
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

	/// `g`: open intervals a reading after a long gap spreads its energy over by the meter's
	/// profile (the costliest way to record a reading: the others write fewer records and
	/// read no profile).
	#[benchmark]
	fn submit_reading(
		g: Linear<1, { Consumption::<T>::max_spread() }>,
	) -> Result<(), BenchmarkError> {
		let (id, reading, signature) = spread_reading::<T>(g)?;

		#[extrinsic_call]
		_(frame_system::Origin::<T>::Authorized, reading, signature);

		let record =
			Consumption::<T>::record(id, reading.interval).ok_or("the reading was not recorded")?;
		assert_eq!(record.quality, Quality::Substituted);
		let first = reading.interval.saturating_sub(g.saturating_sub(1));
		assert!(Consumption::<T>::record(id, first).is_some(), "g intervals written");
		Ok(())
	}

	/// `g`: open intervals the old device's last energy spreads over (as
	/// [`Pallet::submit_reading`]'s worst case: a long gap, by the meter's profile).
	#[benchmark]
	fn record_exchange(
		g: Linear<1, { Consumption::<T>::max_spread() }>,
	) -> Result<(), BenchmarkError> {
		let (id, reading, _) = spread_reading::<T>(g)?;
		let origin =
			T::ActivateOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let old = (reading.imported, reading.exported);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, old, (Energy(0), Energy(0)));

		let record =
			Consumption::<T>::record(id, reading.interval).ok_or("the energy was not recorded")?;
		assert_eq!(record.quality, Quality::Substituted);
		let last = Meters::<T>::get(id).and_then(|m| m.readings.last).ok_or("no last reading")?;
		assert_eq!((last.imported, last.exported), (Energy(0), Energy(0)));
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

	/// `n`: intervals the visit finalizes, each without a value (the costliest: a substitute
	/// is written and counted in the totals).
	#[benchmark]
	fn visit_meter(
		n: Linear<0, { Consumption::<T>::max_visit_work() }>,
	) -> Result<(), BenchmarkError> {
		let (id, _, _) = meter_with_reading::<T>(1)?;
		// The meter read at the last interval; `n` intervals before the window wait.
		let current = T::Grid::current_interval();
		let last_final = Consumption::<T>::last_final(current).ok_or("grid time too early")?;
		Meters::<T>::mutate(id, |m| {
			if let Some(m) = m {
				m.readings.last = Some(LastReading {
					interval: current.saturating_sub(1),
					imported: Energy(0),
					exported: Energy(0),
				});
				m.readings.finalized = last_final.saturating_sub(n);
				m.readings.import_trend = Energy(100);
			}
		});
		// One measured interval, so that the profile is learnt and written too.
		if n > 0 {
			let first = last_final.saturating_sub(n.saturating_sub(1));
			let record = IntervalRecord {
				interval: first,
				imported: Energy(100),
				exported: Energy(0),
				quality: Quality::Measured,
				anomaly: None,
			};
			History::<T>::insert(id, Consumption::<T>::slot(first), record);
		}
		let mut meter = Meters::<T>::get(id).ok_or("no meter")?;

		#[block]
		{
			let visit = Consumption::<T>::visit(id, &mut meter, current);
			Meters::<T>::insert(id, meter);
			assert_eq!(visit.work(), n);
		}

		assert_eq!(Meters::<T>::get(id).map(|m| m.readings.finalized), Some(last_final));
		Ok(())
	}

	#[benchmark]
	fn set_preferences() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner");
		install_many::<T>(&owner, 1, 0)?;
		let preferences = ConsumerPreferences {
			max_price: Some(PricePerKWh(300)),
			green_only: true,
			flexible_load: Some(FlexibleLoad { power: Power(3_000), max_hours_per_day: 4 }),
		};

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), preferences);

		assert_eq!(Preferences::<T>::get(&owner), Some(preferences));
		Ok(())
	}

	#[benchmark]
	fn clear_preferences() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner");
		Preferences::<T>::insert(&owner, ConsumerPreferences::default());

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()));

		assert!(!Preferences::<T>::contains_key(&owner));
		Ok(())
	}

	#[benchmark]
	fn set_priority_class() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner");
		install_many::<T>(&owner, 1, 0)?;
		let origin =
			T::OperatorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, owner.clone(), PriorityClass::Critical);

		assert_eq!(Priorities::<T>::get(&owner), Some(PriorityClass::Critical));
		Ok(())
	}

	#[benchmark]
	fn set_carbon_intensity() -> Result<(), BenchmarkError> {
		let origin =
			T::OperatorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, Some(EnergySource::Thermal), CarbonIntensity(450));

		assert_eq!(SourceIntensities::<T>::get(EnergySource::Thermal), CarbonIntensity(450));
		Ok(())
	}

	/// The market noting a purchase at settlement, in a day slot that held an older day.
	#[benchmark]
	fn note_purchase() -> Result<(), BenchmarkError> {
		use daeg_primitives::consumption::PurchaseLedger;
		let buyer: T::AccountId = account("buyer", 0, 0);
		let interval = BASE;
		let day = interval.day(T::Grid::interval_length_ms()).ok_or("day overflow")?;
		let old = DayIndex(day.0.saturating_sub(T::HistoryDays::get()));
		Purchases::<T>::insert(
			&buyer,
			Consumption::<T>::day_slot(day),
			(old, SourceMix::default()),
		);

		#[block]
		{
			Consumption::<T>::note_purchase(&buyer, interval, EnergySource::Wind, Energy(500));
		}

		assert_eq!(Consumption::<T>::purchases(&buyer, day)[1], Energy(500));
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

	fn set_final_day(meter: MeterId, day: DayIndex, imported: Energy) {
		let totals = EnergyTotals { imported, intervals: 1, ..Default::default() };
		DayTotals::<T>::insert(meter, Pallet::<T>::day_slot(day), (day, totals));
	}
}
