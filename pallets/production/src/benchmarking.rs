//! Benchmarks of the production pallet (frame-benchmarking v2). `weights.rs` is generated from
//! them by `scripts/benchmark.sh production`.

use super::*;
use crate::Pallet as Production;
use alloc::vec::Vec;
use daeg_primitives::{
	metering::{MeterBenchmarkHelper, MeterKind},
	production::{ProductionDay, Reason},
	GridClock,
};
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	Contains, EnsureOrigin, Get,
};
use frame_system::RawOrigin;
use sp_runtime::traits::Saturating;

/// The zone benchmarks register facilities in: the runtime's `Zones` must contain it.
const ZONE: ZoneId = ZoneId(0);

/// A producer that can pay many deposits.
fn producer<T: Config>() -> T::AccountId {
	let who: T::AccountId = account("producer", 0, 0);
	let amount = T::FacilityDeposit::get()
		.saturating_mul(100u32.into())
		.saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(&who, amount);
	who
}

/// A spec of a facility measured by a new meter of `owner`'s.
fn spec<T: Config>(owner: &T::AccountId) -> Result<FacilitySpec, BenchmarkError> {
	if !T::Zones::contains(&ZONE) {
		return Err(BenchmarkError::Stop("benchmarks need zone 0 to exist"));
	}
	Ok(FacilitySpec {
		source: EnergySource::Wind,
		capacity: Power(2_000_000),
		zone: ZONE,
		location: Location { lat_micro_deg: 52_520_000, lon_micro_deg: 13_405_000 },
		commissioned: DayIndex(20_000),
		meter: T::MeterHelper::active_meter(owner, MeterKind::Production, ZONE),
	})
}

/// `n` facilities of `owner`'s.
fn register<T: Config>(owner: &T::AccountId, n: u32) -> Result<Vec<FacilityId>, BenchmarkError> {
	let mut ids = Vec::new();
	for _ in 0..n {
		ids.push(NextFacilityId::<T>::get());
		Production::<T>::register_facility(
			RawOrigin::Signed(owner.clone()).into(),
			spec::<T>(owner)?,
		)?;
	}
	Ok(ids)
}

/// An appointed certifier and a registered facility.
fn certifier_and_facility<T: Config>() -> Result<(T::AccountId, FacilityId), BenchmarkError> {
	let owner = producer::<T>();
	let facility = register::<T>(&owner, 1)?[0];
	let certifier: T::AccountId = account("certifier", 0, 0);
	Certifiers::<T>::insert(&certifier, ());
	CertifierCount::<T>::mutate(|c| *c = c.saturating_add(1));
	Ok((certifier, facility))
}

/// The longest reason.
fn long_reason() -> Reason {
	Reason::truncate_from(alloc::vec![b'r'; daeg_primitives::production::MAX_REASON_LEN as usize])
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// `f`: facilities the producer already has.
	#[benchmark]
	fn register_facility(
		f: Linear<0, { T::MaxFacilitiesPerProducer::get().saturating_sub(1) }>,
	) -> Result<(), BenchmarkError> {
		let owner = producer::<T>();
		register::<T>(&owner, f)?;
		let spec = spec::<T>(&owner)?;
		let id = NextFacilityId::<T>::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), spec);

		assert!(Facilities::<T>::contains_key(id));
		Ok(())
	}

	/// `f`: facilities the producer has, the deregistered one first in its list.
	#[benchmark]
	fn deregister_facility(
		f: Linear<1, { T::MaxFacilitiesPerProducer::get() }>,
	) -> Result<(), BenchmarkError> {
		let owner = producer::<T>();
		let ids = register::<T>(&owner, f)?;
		let id = ids[0];
		for d in 0..T::DaysKept::get() {
			FacilityDays::<T>::insert(id, d, (DayIndex(d), ProductionDay::default()));
		}

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), id);

		assert!(!Facilities::<T>::contains_key(id));
		Ok(())
	}

	#[benchmark]
	fn appoint_certifier() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let certifier: T::AccountId = account("certifier", 0, 0);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, certifier.clone());

		assert!(Certifiers::<T>::contains_key(&certifier));
		Ok(())
	}

	#[benchmark]
	fn remove_certifier() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let (certifier, _) = certifier_and_facility::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, certifier.clone());

		assert!(!Certifiers::<T>::contains_key(&certifier));
		Ok(())
	}

	#[benchmark]
	fn certify() -> Result<(), BenchmarkError> {
		let (certifier, facility) = certifier_and_facility::<T>()?;
		let until = T::Clock::now_ms().saturating_add(1_000_000);

		#[extrinsic_call]
		_(RawOrigin::Signed(certifier), facility, until);

		assert!(Production::<T>::may_sell(facility, until.saturating_sub(1)));
		Ok(())
	}

	#[benchmark]
	fn suspend() -> Result<(), BenchmarkError> {
		let (certifier, facility) = certifier_and_facility::<T>()?;
		Facilities::<T>::mutate(facility, |f| {
			if let Some(f) = f {
				f.certification =
					Certification::Certified { by: certifier.clone(), until_ms: u64::MAX };
			}
		});

		#[extrinsic_call]
		_(RawOrigin::Signed(certifier), facility, long_reason());

		assert!(!Production::<T>::may_sell(facility, 0));
		Ok(())
	}

	#[benchmark]
	fn revoke() -> Result<(), BenchmarkError> {
		let (certifier, facility) = certifier_and_facility::<T>()?;

		#[extrinsic_call]
		_(RawOrigin::Signed(certifier), facility, long_reason());

		let revoked = Facilities::<T>::get(facility)
			.is_some_and(|f| matches!(f.certification, Certification::Revoked { .. }));
		assert!(revoked);
		Ok(())
	}

	/// A final value of a facility's meter, in a day slot that held an older day (the
	/// costliest: both rings are rewritten).
	#[benchmark]
	fn on_final_interval() -> Result<(), BenchmarkError> {
		use daeg_primitives::{
			metering::{IntervalRecord, OnFinalInterval, Quality},
			Energy, IntervalIndex,
		};
		let owner = producer::<T>();
		let facility = register::<T>(&owner, 1)?[0];
		let f = Facilities::<T>::get(facility).ok_or("no facility")?;
		let interval = IntervalIndex(1_000_000);
		let day = interval.day(T::Clock::interval_length_ms()).ok_or("day overflow")?;
		let old = DayIndex(day.0.saturating_sub(T::DaysKept::get()));
		let slot = Production::<T>::day_slot(day);
		FacilityDays::<T>::insert(facility, slot, (old, ProductionDay::default()));
		SourceZoneDays::<T>::insert((slot, f.source, f.zone), (old, Energy(1)));
		let record = IntervalRecord {
			interval,
			imported: Energy(0),
			exported: Energy(500),
			quality: Quality::Measured,
			anomaly: None,
		};

		#[block]
		{
			Production::<T>::on_final(f.meter, &record);
		}

		assert_eq!(
			FacilityDays::<T>::get(facility, slot).map(|(_, p)| p.energy),
			Some(Energy(500))
		);
		Ok(())
	}

	impl_benchmark_test_suite!(Production, crate::mock::new_test_ext(), crate::mock::Test);
}
