//! Benchmarks of the production pallet (frame-benchmarking v2). `weights.rs` is generated from
//! them by `scripts/benchmark.sh production`.

use super::*;
use crate::Pallet as Production;
use alloc::vec::Vec;
use daeg_primitives::{
	consumption::{IntervalRecord, MeterBenchmarkHelper, MeterKind, OnFinalInterval, Quality},
	production::{
		CertificateId, FacilityRegistry, MaintenanceWindow, ProductionDay, Reason, SourceParameters,
	},
	Energy, Grid, GridClock, IntervalIndex, PricePerKWh, DAY_MS, HOUR_MS,
};
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	EnsureOrigin, Get,
};
use frame_support::{weights::Weight, BoundedVec};
use frame_system::RawOrigin;
use sp_runtime::traits::Saturating;
use sp_runtime::Permill;

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
	if !T::Grid::is_zone(ZONE) {
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

/// A facility of `owner`'s certified for good.
fn certified<T: Config>(owner: &T::AccountId) -> Result<FacilityId, BenchmarkError> {
	let facility = register::<T>(owner, 1)?[0];
	Facilities::<T>::mutate(facility, |f| {
		if let Some(f) = f {
			f.certification = Certification::Certified { by: owner.clone(), until_ms: u64::MAX };
		}
	});
	Ok(facility)
}

/// A certificate of `energy` produced by `facility` in `hour`, held by `owner`.
fn certificate<T: Config>(
	facility: FacilityId,
	owner: &T::AccountId,
	hour: HourIndex,
	energy: Energy,
) -> CertificateId {
	let serial = NextCertificate::<T>::get();
	NextCertificate::<T>::put(serial.saturating_add(1));
	Certificates::<T>::insert(
		hour,
		serial,
		Certificate {
			facility,
			source: EnergySource::Wind,
			zone: ZONE,
			energy,
			intensity: CarbonIntensity(11),
			owner: owner.clone(),
			claimed: None,
		},
	);
	ExpiryCursor::<T>::mutate(|c| *c = Some(c.map_or(hour, |c| c.min(hour))));
	CertificateId { hour, serial }
}

/// Gives the incentives account plenty of funds.
fn fund_incentives<T: Config>() {
	let plenty = T::Currency::minimum_balance().saturating_mul(1_000_000_000u32.into());
	T::Currency::set_balance(&T::IncentivesAccount::get(), plenty);
}

/// `w` maintenance windows of a day each, a day apart, from grid time `from`.
fn windows<T: Config>(
	w: u32,
	from: u64,
) -> BoundedVec<MaintenanceWindow, T::MaxMaintenanceWindows> {
	let all = (0..u64::from(w))
		.map(|k| MaintenanceWindow {
			start_ms: from.saturating_add(k.saturating_mul(2 * DAY_MS)),
			end_ms: from.saturating_add(k.saturating_mul(2 * DAY_MS)).saturating_add(DAY_MS),
		})
		.collect::<Vec<_>>();
	BoundedVec::truncate_from(all)
}

/// Grid time far enough from zero for windows before and after it: about 2027.
const NOW_MS: u64 = 1_800_000_000_000;

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
		for d in 0..T::HistoryDays::get() {
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
			T::OperatorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let certifier: T::AccountId = account("certifier", 0, 0);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, certifier.clone());

		assert!(Certifiers::<T>::contains_key(&certifier));
		Ok(())
	}

	#[benchmark]
	fn remove_certifier() -> Result<(), BenchmarkError> {
		let origin =
			T::OperatorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let (certifier, _) = certifier_and_facility::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, certifier.clone());

		assert!(!Certifiers::<T>::contains_key(&certifier));
		Ok(())
	}

	#[benchmark]
	fn certify() -> Result<(), BenchmarkError> {
		let (certifier, facility) = certifier_and_facility::<T>()?;
		let until = T::Grid::now_ms().saturating_add(1_000_000);

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

	#[benchmark]
	fn reinstate() -> Result<(), BenchmarkError> {
		let (certifier, facility) = certifier_and_facility::<T>()?;
		Production::<T>::revoke(RawOrigin::Signed(certifier).into(), facility, long_reason())?;
		let origin =
			T::OperatorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, facility);

		let pending = Facilities::<T>::get(facility)
			.is_some_and(|f| matches!(f.certification, Certification::Pending));
		assert!(pending);
		Ok(())
	}

	/// A final value of a facility's meter — the costliest: in a day slot that held an
	/// older day (both rings are rewritten), ending an hour (a certificate is issued and its
	/// premium paid), ending an efficiency window with low output, after every maintenance
	/// window ended and with maintenance overdue.
	#[benchmark]
	fn on_final_interval() -> Result<(), BenchmarkError> {
		let owner = producer::<T>();
		let facility = certified::<T>(&owner)?;
		let f = Facilities::<T>::get(facility).ok_or("no facility")?;
		let len = T::Grid::interval_length_ms();
		// The last interval of an hour.
		let hour_end = NOW_MS - NOW_MS % HOUR_MS;
		let interval = IntervalIndex::at(hour_end - 1, len).ok_or("interval overflow")?;
		T::Grid::set_now_ms(hour_end.saturating_add(HOUR_MS));
		let hour = interval.hour(len).ok_or("hour overflow")?;
		Operation::<T>::mutate(facility, |op| {
			if let Some(op) = op {
				op.open_hour = Some((hour, Energy(1_000)));
				op.metered_renewable = Energy(1_000);
			}
		});
		let ended = windows::<T>(T::MaxMaintenanceWindows::get(), hour_end - 400 * DAY_MS);
		Maintenance::<T>::insert(facility, ended);
		SourceParams::<T>::insert(
			f.spec.source,
			SourceParameters {
				typical_capacity_factor: Permill::from_percent(30),
				maintenance_interval_days: Some(1),
			},
		);
		Efficiency::<T>::put(EfficiencyRule { share: Permill::from_percent(50), intervals: 1 });
		FeedInPremium::<T>::put(PricePerKWh(1_000_000));
		fund_incentives::<T>();
		let day = interval.day(len).ok_or("day overflow")?;
		let old = DayIndex(day.0.saturating_sub(T::HistoryDays::get()));
		let slot = Production::<T>::day_slot(day);
		FacilityDays::<T>::insert(facility, slot, (old, ProductionDay::default()));
		SourceZoneDays::<T>::insert((slot, f.spec.source, f.spec.zone), (old, Energy(1)));
		let record = IntervalRecord {
			interval,
			imported: Energy(0),
			exported: Energy(500),
			quality: Quality::Measured,
			anomaly: None,
		};

		#[block]
		{
			Production::<T>::on_final(f.spec.meter, &record);
		}

		assert_eq!(
			FacilityDays::<T>::get(facility, slot).map(|(_, p)| p.energy),
			Some(Energy(500))
		);
		let op = Operation::<T>::get(facility).ok_or("no operation")?;
		assert_eq!((op.certified, op.open_hour, op.low_output), (Energy(1_500), None, true));
		assert!(op.overdue_reported);
		assert!(Maintenance::<T>::get(facility).is_empty());
		Ok(())
	}

	/// `w`: windows the facility has declared, all before the new one.
	#[benchmark]
	fn declare_maintenance(
		w: Linear<0, { T::MaxMaintenanceWindows::get().saturating_sub(1) }>,
	) -> Result<(), BenchmarkError> {
		let owner = producer::<T>();
		let facility = register::<T>(&owner, 1)?[0];
		T::Grid::set_now_ms(NOW_MS);
		let from = NOW_MS.saturating_add(T::MaintenanceNotice::get());
		Maintenance::<T>::insert(facility, windows::<T>(w, from));
		let start = from.saturating_add(u64::from(w).saturating_mul(2 * DAY_MS));
		let window = MaintenanceWindow { start_ms: start, end_ms: start.saturating_add(HOUR_MS) };

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), facility, window);

		assert_eq!(Maintenance::<T>::get(facility).len() as u32, w + 1);
		Ok(())
	}

	/// `w`: windows the facility has declared; the last is cancelled.
	#[benchmark]
	fn cancel_maintenance(
		w: Linear<1, { T::MaxMaintenanceWindows::get() }>,
	) -> Result<(), BenchmarkError> {
		let owner = producer::<T>();
		let facility = register::<T>(&owner, 1)?[0];
		T::Grid::set_now_ms(NOW_MS);
		let plan = windows::<T>(w, NOW_MS.saturating_add(DAY_MS));
		let last = plan.last().map(|w| w.start_ms).ok_or("no window")?;
		Maintenance::<T>::insert(facility, plan);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), facility, last);

		assert_eq!(Maintenance::<T>::get(facility).len() as u32, w - 1);
		Ok(())
	}

	#[benchmark]
	fn set_source_parameters() -> Result<(), BenchmarkError> {
		let origin =
			T::OperatorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let parameters = SourceParameters {
			typical_capacity_factor: Permill::from_percent(25),
			maintenance_interval_days: Some(365),
		};

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, EnergySource::Wind, parameters);

		assert_eq!(SourceParams::<T>::get(EnergySource::Wind), Some(parameters));
		Ok(())
	}

	#[benchmark]
	fn set_efficiency_rule() -> Result<(), BenchmarkError> {
		let origin =
			T::OperatorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let rule = EfficiencyRule { share: Permill::from_percent(50), intervals: 96 };

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, Some(rule));

		assert_eq!(Efficiency::<T>::get(), Some(rule));
		Ok(())
	}

	#[benchmark]
	fn set_feed_in_premium() -> Result<(), BenchmarkError> {
		let origin =
			T::OperatorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, PricePerKWh(20));

		assert_eq!(FeedInPremium::<T>::get(), PricePerKWh(20));
		Ok(())
	}

	/// Part of a certificate: a new one is split off.
	#[benchmark]
	fn transfer_certificate() -> Result<(), BenchmarkError> {
		let owner = producer::<T>();
		let facility = certified::<T>(&owner)?;
		let id = certificate::<T>(facility, &owner, HourIndex(500_000), Energy(1_000));
		let to: T::AccountId = account("buyer", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id, to.clone(), Energy(400));

		let split = Certificates::<T>::get(id.hour, id.serial.saturating_add(1));
		assert_eq!(split.map(|c| (c.owner, c.energy)), Some((to, Energy(400))));
		Ok(())
	}

	/// Part of a certificate: a new one is split off and claimed.
	#[benchmark]
	fn claim_certificate() -> Result<(), BenchmarkError> {
		let owner = producer::<T>();
		let facility = certified::<T>(&owner)?;
		let hour = HourIndex(500_000);
		let id = certificate::<T>(facility, &owner, hour, Energy(1_000));
		let meter = T::MeterHelper::active_meter(&owner, MeterKind::Consumption, ZONE);
		T::MeterHelper::set_final_day(meter, hour.day(), Energy(10_000));

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id, Energy(400), meter);

		assert_eq!(Production::<T>::claimed_on(meter, hour.day()), Energy(400));
		Ok(())
	}

	#[benchmark]
	fn collect_premium() -> Result<(), BenchmarkError> {
		let owner = producer::<T>();
		fund_incentives::<T>();
		let owed = T::Currency::minimum_balance().saturating_mul(10u32.into());
		UnpaidPremium::<T>::insert(&owner, owed);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()));

		assert!(!UnpaidPremium::<T>::contains_key(&owner));
		Ok(())
	}

	/// `n`: certificates of the oldest hour, all expired.
	#[benchmark]
	fn expire_certificates(n: Linear<0, 1_000>) -> Result<(), BenchmarkError> {
		let owner = producer::<T>();
		let facility = certified::<T>(&owner)?;
		let hour = HourIndex(500_000);
		for _ in 0..n {
			certificate::<T>(facility, &owner, hour, Energy(1_000));
		}
		ExpiryCursor::<T>::put(hour);
		let later = u64::from(hour.0).saturating_add(24 * u64::from(T::HistoryDays::get()) + 1);
		T::Grid::set_now_ms(later.saturating_mul(HOUR_MS));

		#[block]
		{
			Production::<T>::expire_certificates(Weight::MAX);
		}

		assert_eq!(Certificates::<T>::iter_prefix(hour).count(), 0);
		assert!(ExpiryCursor::<T>::get() <= Some(HourIndex(500_001)));
		Ok(())
	}

	impl_benchmark_test_suite!(Production, crate::mock::new_test_ext(), crate::mock::Test);
}
