//! Benchmarks of the balancing pallet (frame-benchmarking v2). `weights.rs` is generated from
//! them by `scripts/benchmark.sh balancing`.

use super::*;
use crate::Pallet as Balancing;
use alloc::vec::Vec;
use daeg_primitives::{
	balancing::{Action, BreakerSettings, DemandTrigger, OnCleared},
	consumption::{Anomaly, IntervalRecord, MeterKind, OnFinalInterval, Quality},
	grid::ZoneSpec,
	pricing::ZoneClearing,
	ring, Grid, GridClock, IntervalIndex, PricePerKWh, UnitId,
};
use frame_benchmarking::v2::*;
use frame_support::traits::EnsureOrigin;
use frame_system::RawOrigin;

/// Grid time in benchmarks: about 2027, at an interval's start.
const NOW_MS: u64 = 1_800_000_000_000;
/// The zone benchmarks balance.
const ZONE: ZoneId = ZoneId(0);

fn operators<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::OperatorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

/// Zone 0 with a feeder whose peak any load crosses, a program, and every breaker armed.
fn armed_zone<T: Config>() {
	T::Grid::set_zone(
		ZONE,
		Some(ZoneSpec {
			capacity: Power(1_000),
			peak_share: Perbill::from_percent(50),
			parent: None,
		}),
	);
	Programs::<T>::insert(ZONE, PricePerKWh(500));
	Breakers::<T>::put(BreakerSettings {
		cap_intervals: Some(4),
		imbalance_share: Some(Perbill::from_percent(99)),
		anomalous_share: Some(Perbill::from_percent(99)),
		min_meters: 1_000,
	});
}

/// Registers a 100 kWh unit of a new provider's in zone 0, half charged.
fn unit<T: Config>(i: u32) -> Result<(UnitId, MeterId), BenchmarkError> {
	let owner: T::AccountId = account("provider", i, 0);
	let meter = T::Helper::meter(&owner, MeterKind::Storage, ZONE);
	let id = NextUnitId::<T>::get();
	let spec = UnitSpec {
		meter,
		capacity: Energy(100_000),
		max_charge: Power(50_000),
		max_discharge: Power(50_000),
		efficiency: Perbill::from_percent(90),
		charge: Energy(50_000),
	};
	Balancing::<T>::register_unit(RawOrigin::Signed(owner).into(), spec)
		.map_err(|_| BenchmarkError::Weightless)?;
	Ok((id, meter))
}

/// Enrolls a new consumer's meter in zone 0's program, with a full baseline of 1 kWh.
fn participant<T: Config>(i: u32) -> Result<MeterId, BenchmarkError> {
	let who: T::AccountId = account("consumer", i, 0);
	let meter = T::Helper::meter(&who, MeterKind::Consumption, ZONE);
	let flexible = FlexibleLoad { power: Power(1_000), max_hours_per_day: 24 };
	Balancing::<T>::enroll(RawOrigin::Signed(who).into(), meter, flexible)
		.map_err(|_| BenchmarkError::Weightless)?;
	Enrollments::<T>::mutate(meter, |e| {
		if let Some(e) = e {
			e.recent = BoundedVec::truncate_from(
				(0..T::BaselineIntervals::get()).map(|_| Energy(1_000)).collect::<Vec<_>>(),
			);
		}
	});
	Ok(meter)
}

/// The interval two ahead of grid time `NOW_MS`, which the market would clear now.
fn next_interval<T: Config>() -> IntervalIndex {
	T::Grid::set_now_ms(NOW_MS);
	T::Grid::current_interval().checked_add(2).unwrap_or_default()
}

fn record(interval: IntervalIndex, imported: u64, exported: u64) -> IntervalRecord {
	IntervalRecord {
		interval,
		imported: Energy(imported),
		exported: Energy(exported),
		quality: Quality::Measured,
		anomaly: Some(Anomaly::Jump),
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_unit() -> Result<(), BenchmarkError> {
		let full = T::MaxUnitsPerZone::get().saturating_sub(1);
		for i in 0..full {
			unit::<T>(i)?;
		}
		let owner: T::AccountId = account("provider", full, 0);
		let meter = T::Helper::meter(&owner, MeterKind::Storage, ZONE);
		let spec = UnitSpec {
			meter,
			capacity: Energy(100_000),
			max_charge: Power(50_000),
			max_discharge: Power(50_000),
			efficiency: Perbill::from_percent(90),
			charge: Energy(0),
		};

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), spec);

		assert_eq!(ZoneUnits::<T>::get(ZONE).len() as u32, full + 1);
		Ok(())
	}

	#[benchmark]
	fn deregister_unit() -> Result<(), BenchmarkError> {
		let mut last = None;
		for i in 0..T::MaxUnitsPerZone::get() {
			last = Some(unit::<T>(i)?);
		}
		let (id, _) = last.ok_or(BenchmarkError::Weightless)?;
		let owner = Units::<T>::get(id).map(|u| u.owner).ok_or(BenchmarkError::Weightless)?;
		for slot in 0..T::HistoryIntervals::get().min(16) {
			Schedules::<T>::insert(id, slot, (IntervalIndex(slot), Action::Idle));
		}

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id);

		assert!(Units::<T>::get(id).is_none());
		Ok(())
	}

	#[benchmark]
	fn set_program() -> Result<(), BenchmarkError> {
		let origin = operators::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, ZONE, Some(PricePerKWh(700)));

		assert_eq!(Programs::<T>::get(ZONE), Some(PricePerKWh(700)));
		Ok(())
	}

	#[benchmark]
	fn enroll() -> Result<(), BenchmarkError> {
		armed_zone::<T>();
		let full = T::MaxParticipants::get().saturating_sub(1);
		for i in 0..full {
			participant::<T>(i)?;
		}
		let who: T::AccountId = account("consumer", full, 0);
		let meter = T::Helper::meter(&who, MeterKind::Consumption, ZONE);
		let flexible = FlexibleLoad { power: Power(1_000), max_hours_per_day: 4 };

		#[extrinsic_call]
		_(RawOrigin::Signed(who), meter, flexible);

		assert!(Enrollments::<T>::contains_key(meter));
		Ok(())
	}

	#[benchmark]
	fn leave() -> Result<(), BenchmarkError> {
		armed_zone::<T>();
		let mut last = None;
		for i in 0..T::MaxParticipants::get() {
			last = Some(participant::<T>(i)?);
		}
		let meter = last.ok_or(BenchmarkError::Weightless)?;
		let who =
			Enrollments::<T>::get(meter).map(|e| e.owner).ok_or(BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(who), meter);

		assert!(!Enrollments::<T>::contains_key(meter));
		Ok(())
	}

	#[benchmark]
	fn call_demand_response(
		i: Linear<1, { T::MaxEventIntervals::get() }>,
		p: Linear<1, { T::MaxParticipants::get() }>,
	) -> Result<(), BenchmarkError> {
		armed_zone::<T>();
		for k in 0..p {
			participant::<T>(k)?;
		}
		let origin = operators::<T>()?;
		let from = next_interval::<T>();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, ZONE, from, i, Energy(u64::MAX));

		let slot = Balancing::<T>::slot(from);
		assert!(DemandEvents::<T>::contains_key(ZONE, slot));
		Ok(())
	}

	#[benchmark]
	fn set_breakers() -> Result<(), BenchmarkError> {
		let origin = operators::<T>()?;
		let settings = BreakerSettings { cap_intervals: Some(3), ..Default::default() };

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, settings);

		assert_eq!(Breakers::<T>::get(), settings);
		Ok(())
	}

	#[benchmark]
	fn set_emergency_tariff() -> Result<(), BenchmarkError> {
		let origin = operators::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, PricePerKWh(900));

		assert_eq!(EmergencyTariff::<T>::get(), PricePerKWh(900));
		Ok(())
	}

	/// The heaviest of the calls that change one zone's status: islanding reads the zone's
	/// spec besides.
	#[benchmark]
	fn zone_status() -> Result<(), BenchmarkError> {
		let origin = operators::<T>()?;
		let microgrid = ZoneId(1);
		T::Grid::set_zone(
			microgrid,
			Some(ZoneSpec {
				capacity: Power(1_000),
				peak_share: Perbill::one(),
				parent: Some(ZONE),
			}),
		);
		Status::<T>::mutate(microgrid, |s| s.emergency = true);

		#[extrinsic_call]
		island(origin as T::RuntimeOrigin, microgrid);

		assert!(Status::<T>::get(microgrid).islanded);
		Ok(())
	}

	#[benchmark]
	fn shed_load() -> Result<(), BenchmarkError> {
		let origin = operators::<T>()?;
		Status::<T>::mutate(ZONE, |s| s.emergency = true);
		ClassLoads::<T>::insert(ZONE, (IntervalIndex(1), [Energy(1); 4], [Energy(1); 4]));

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, ZONE, Energy(u64::MAX));

		assert!(Status::<T>::get(ZONE).shed.is_some());
		Ok(())
	}

	/// Balancing one zone of a cleared interval: short beyond what `u` units and `p`
	/// participants cover, and at a peak, so that every unit discharges and every participant
	/// is called.
	#[benchmark]
	fn on_cleared_zone(
		u: Linear<0, { T::MaxUnitsPerZone::get() }>,
		p: Linear<0, { T::MaxParticipants::get() }>,
	) -> Result<(), BenchmarkError> {
		armed_zone::<T>();
		for k in 0..u {
			unit::<T>(k)?;
		}
		for k in 0..p {
			participant::<T>(k)?;
		}
		let interval = next_interval::<T>();
		let result = ZoneClearing {
			price: Some(PricePerKWh(1_000)),
			bought: Energy(1_000),
			demanded: Energy(100_000_000),
			..Default::default()
		};
		let dispatches;

		#[block]
		{
			dispatches = <Balancing<T> as OnCleared<T::AccountId>>::on_cleared(
				interval,
				&[(ZONE, result)],
				&[],
				PricePerKWh(1_000),
			);
		}

		assert_eq!(dispatches.len() as u32, u);
		Ok(())
	}

	/// A meter that is neither a unit's nor enrolled: its zone's report, breakers and peak,
	/// and its class's load.
	#[benchmark]
	fn on_final_meter() -> Result<(), BenchmarkError> {
		armed_zone::<T>();
		let who: T::AccountId = account("consumer", 0, 0);
		let meter = T::Helper::meter(&who, MeterKind::Consumption, ZONE);
		let interval = next_interval::<T>();

		#[block]
		{
			<Balancing<T> as OnFinalInterval>::on_final(meter, &record(interval, 1_000, 0));
		}

		let slot = Balancing::<T>::slot(interval);
		assert!(Reports::<T>::contains_key(ZONE, slot));
		Ok(())
	}

	/// A unit's meter: its state of charge follows the meter.
	#[benchmark]
	fn on_final_unit() -> Result<(), BenchmarkError> {
		armed_zone::<T>();
		let (id, meter) = unit::<T>(0)?;
		let interval = next_interval::<T>();
		let slot = Balancing::<T>::slot(interval);
		Schedules::<T>::insert(id, slot, (interval, Action::Discharge(Energy(1_000))));

		#[block]
		{
			<Balancing<T> as OnFinalInterval>::on_final(meter, &record(interval, 0, 800));
		}

		assert!(!Schedules::<T>::contains_key(id, slot));
		Ok(())
	}

	/// A participant called for the interval: its reduction verified and rewarded.
	#[benchmark]
	fn on_final_participant() -> Result<(), BenchmarkError> {
		armed_zone::<T>();
		let meter = participant::<T>(0)?;
		let interval = next_interval::<T>();
		Balancing::<T>::call_event(ZONE, interval, Energy(1_000), DemandTrigger::Operators);
		let slot = Balancing::<T>::slot(interval);
		assert!(Called::<T>::contains_key(meter, slot));
		let mut measured = record(interval, 100, 0);
		measured.anomaly = None;

		#[block]
		{
			<Balancing<T> as OnFinalInterval>::on_final(meter, &measured);
		}

		let verified = ring::kept(DemandEvents::<T>::get(ZONE, slot), interval).map(|e| e.verified);
		assert!(verified.is_some_and(|v| !v.is_zero()));
		Ok(())
	}

	impl_benchmark_test_suite!(Balancing, crate::mock::ext(), crate::mock::Test);
}
