//! Unit tests of the production pallet: every call, every error path, events and invariants.

use crate::{
	mock::*, CertifierCount, Error, Event, Facilities, FacilitiesOf, FacilityOfMeter, FacilitySpec,
	HoldReason,
};
use daeg_primitives::{
	consumption::MeterKind,
	production::{Certification, FacilityRegistry, Location, Reason},
	DayIndex, EnergySource, FacilityId, MeterId, Power, ZoneId,
};
use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold};
use sp_runtime::DispatchError;

mod certificates;
mod operation;

/// A meter of `owner`'s of `kind` in zone 1.
fn meter(owner: u64, kind: MeterKind) -> MeterId {
	daeg_test_doubles::add_meter(owner, 1, kind)
}

/// A 5 kW solar facility in zone 1 measured by `meter`.
fn spec(meter: MeterId) -> FacilitySpec {
	FacilitySpec {
		source: EnergySource::Solar,
		capacity: Power(5_000),
		zone: ZoneId(1),
		location: Location { lat_micro_deg: 47_376_900, lon_micro_deg: 8_541_700 },
		commissioned: DayIndex(20_000),
		meter,
	}
}

fn held(who: u64) -> u128 {
	Balances::balance_on_hold(&RuntimeHoldReason::Production(HoldReason::FacilityDeposit), &who)
}

/// Alice's registered facility, with a production meter.
fn facility() -> FacilityId {
	let id = crate::NextFacilityId::<Test>::get();
	assert_ok!(Production::register_facility(
		RuntimeOrigin::signed(ALICE),
		spec(meter(ALICE, MeterKind::Production))
	));
	id
}

fn certifier() {
	assert_ok!(Production::appoint_certifier(RuntimeOrigin::root(), CERTIFIER));
}

fn reason(text: &str) -> Reason {
	text.as_bytes().to_vec().try_into().unwrap()
}

fn certification(f: FacilityId) -> Certification<u64> {
	Facilities::<Test>::get(f).unwrap().certification
}

#[test]
fn a_producer_registers_a_facility_holding_a_deposit() {
	run(|| {
		let m = meter(ALICE, MeterKind::Production);
		assert_ok!(Production::register_facility(RuntimeOrigin::signed(ALICE), spec(m)));
		let f = FacilityId(0);
		System::assert_last_event(
			Event::FacilityRegistered { facility: f, owner: ALICE, spec: spec(m) }.into(),
		);
		let stored = Facilities::<Test>::get(f).unwrap();
		assert_eq!(
			(stored.owner, stored.spec.meter, stored.certification),
			(ALICE, m, Certification::Pending)
		);
		assert_eq!(held(ALICE), DEPOSIT);
		assert_eq!(FacilityOfMeter::<Test>::get(m), Some(f));
		assert_eq!(FacilitiesOf::<Test>::get(ALICE).into_inner(), vec![f]);
		let info = Production::facility(f).unwrap();
		assert_eq!(
			(info.source, info.capacity, info.zone),
			(EnergySource::Solar, Power(5_000), ZoneId(1))
		);
		assert!(!Production::may_sell(f, 2_000), "a pending facility may not sell");
	});
}

#[test]
fn bad_registrations_are_refused() {
	run(|| {
		let m = meter(ALICE, MeterKind::Bidirectional);
		let reg = |who, s| Production::register_facility(RuntimeOrigin::signed(who), s);
		assert_noop!(
			reg(ALICE, FacilitySpec { zone: ZoneId(9), ..spec(m) }),
			Error::<Test>::UnknownZone
		);
		assert_noop!(
			reg(ALICE, FacilitySpec { capacity: Power(0), ..spec(m) }),
			Error::<Test>::ZeroCapacity
		);
		assert_noop!(
			reg(ALICE, FacilitySpec { source: EnergySource::Grid, ..spec(m) }),
			Error::<Test>::GridIsNotASource
		);
		let off_earth = Location { lat_micro_deg: 91_000_000, lon_micro_deg: 0 };
		assert_noop!(
			reg(ALICE, FacilitySpec { location: off_earth, ..spec(m) }),
			Error::<Test>::BadLocation
		);
		assert_noop!(reg(ALICE, spec(MeterId(99))), Error::<Test>::UnknownMeter);
		assert_noop!(reg(BOB, spec(m)), Error::<Test>::NotMeterOwner);
		let consumption = meter(ALICE, MeterKind::Consumption);
		assert_noop!(reg(ALICE, spec(consumption)), Error::<Test>::MeterCannotMeasureExport);
		assert_noop!(
			reg(ALICE, FacilitySpec { zone: ZoneId(2), ..spec(m) }),
			Error::<Test>::ZoneMismatch
		);
		assert_ok!(reg(ALICE, spec(m)));
		assert_noop!(reg(ALICE, spec(m)), Error::<Test>::MeterInUse);
		assert_ok!(reg(ALICE, spec(meter(ALICE, MeterKind::Storage))));
		assert_noop!(
			reg(ALICE, spec(meter(ALICE, MeterKind::Production))),
			Error::<Test>::TooManyFacilities
		);
		assert_noop!(
			reg(PAUPER, spec(meter(PAUPER, MeterKind::Production))),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(
			Production::register_facility(RuntimeOrigin::none(), spec(m)),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn deregistering_returns_the_deposit_and_frees_the_meter() {
	run(|| {
		let f = facility();
		assert_noop!(
			Production::deregister_facility(RuntimeOrigin::signed(BOB), f),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Production::deregister_facility(RuntimeOrigin::signed(ALICE), FacilityId(9)),
			Error::<Test>::UnknownFacility
		);
		let m = Facilities::<Test>::get(f).unwrap().spec.meter;
		assert_ok!(Production::deregister_facility(RuntimeOrigin::signed(ALICE), f));
		System::assert_last_event(Event::FacilityDeregistered { facility: f, owner: ALICE }.into());
		assert_eq!(held(ALICE), 0);
		assert!(!FacilitiesOf::<Test>::contains_key(ALICE));
		assert_eq!(FacilityOfMeter::<Test>::get(m), None);
		assert_ok!(Production::register_facility(RuntimeOrigin::signed(ALICE), spec(m)));
	});
}

#[test]
fn the_grid_operators_appoint_and_remove_certifiers() {
	run(|| {
		assert_ok!(Production::appoint_certifier(RuntimeOrigin::signed(OPERATOR), CERTIFIER));
		System::assert_last_event(Event::CertifierAppointed { certifier: CERTIFIER }.into());
		assert_noop!(
			Production::appoint_certifier(RuntimeOrigin::root(), CERTIFIER),
			Error::<Test>::AlreadyCertifier
		);
		assert_noop!(
			Production::appoint_certifier(RuntimeOrigin::signed(ALICE), BOB),
			DispatchError::BadOrigin
		);
		assert_ok!(Production::appoint_certifier(RuntimeOrigin::root(), BOB));
		assert_noop!(
			Production::appoint_certifier(RuntimeOrigin::root(), ALICE),
			Error::<Test>::TooManyCertifiers
		);
		assert_ok!(Production::remove_certifier(RuntimeOrigin::root(), BOB));
		System::assert_last_event(Event::CertifierRemoved { certifier: BOB }.into());
		assert_eq!(CertifierCount::<Test>::get(), 1);
		assert_noop!(
			Production::remove_certifier(RuntimeOrigin::root(), BOB),
			Error::<Test>::NotCertifier
		);
		assert_noop!(
			Production::remove_certifier(RuntimeOrigin::signed(CERTIFIER), CERTIFIER),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn certification_moves_pending_certified_suspended_certified_revoked() {
	run(|| {
		let f = facility();
		certifier();
		assert_ok!(Production::certify(RuntimeOrigin::signed(CERTIFIER), f, 50_000));
		System::assert_last_event(
			Event::FacilityCertified { facility: f, certifier: CERTIFIER, until_ms: 50_000 }.into(),
		);
		assert_eq!(certification(f), Certification::Certified { by: CERTIFIER, until_ms: 50_000 });
		assert!(Production::may_sell(f, 49_999));
		assert!(!Production::may_sell(f, 50_000), "expired");

		assert_ok!(Production::suspend(
			RuntimeOrigin::signed(CERTIFIER),
			f,
			reason("inverter fault")
		));
		System::assert_last_event(
			Event::FacilitySuspended {
				facility: f,
				certifier: CERTIFIER,
				reason: reason("inverter fault"),
			}
			.into(),
		);
		assert!(!Production::may_sell(f, 2_000));
		assert_ok!(Production::certify(RuntimeOrigin::signed(CERTIFIER), f, 90_000));
		assert!(Production::may_sell(f, 60_000));

		assert_ok!(Production::revoke(RuntimeOrigin::signed(CERTIFIER), f, reason("fraud")));
		System::assert_last_event(
			Event::FacilityRevoked { facility: f, certifier: CERTIFIER, reason: reason("fraud") }
				.into(),
		);
		assert_eq!(certification(f), Certification::Revoked { reason: reason("fraud") });
		assert!(!Production::may_sell(f, 2_000));
	});
}

#[test]
fn bad_certification_calls_are_refused() {
	run(|| {
		let f = facility();
		assert_noop!(
			Production::certify(RuntimeOrigin::signed(BOB), f, 50_000),
			Error::<Test>::NotCertifier
		);
		certifier();
		assert_noop!(
			Production::certify(RuntimeOrigin::signed(CERTIFIER), f, 1_000),
			Error::<Test>::ExpiryInPast
		);
		assert_noop!(
			Production::certify(RuntimeOrigin::signed(CERTIFIER), FacilityId(9), 50_000),
			Error::<Test>::UnknownFacility
		);
		assert_noop!(
			Production::suspend(RuntimeOrigin::signed(CERTIFIER), f, reason("x")),
			Error::<Test>::NotCertified
		);
		assert_noop!(
			Production::suspend(RuntimeOrigin::signed(BOB), f, reason("x")),
			Error::<Test>::NotCertifier
		);
		assert_noop!(
			Production::revoke(RuntimeOrigin::signed(BOB), f, reason("x")),
			Error::<Test>::NotCertifier
		);
		assert_ok!(Production::revoke(RuntimeOrigin::signed(CERTIFIER), f, reason("x")));
		assert_noop!(
			Production::revoke(RuntimeOrigin::signed(CERTIFIER), f, reason("again")),
			Error::<Test>::Revoked
		);
		assert_noop!(
			Production::certify(RuntimeOrigin::signed(CERTIFIER), f, 50_000),
			Error::<Test>::Revoked
		);
		assert_noop!(
			Production::certify(RuntimeOrigin::none(), f, 50_000),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn no_certifier_acts_alone_on_its_own_facility_or_forever() {
	run(|| {
		certifier();
		// The certifier registers a plant of its own: it may not certify, suspend or revoke it.
		let own = crate::NextFacilityId::<Test>::get();
		assert_ok!(Production::register_facility(
			RuntimeOrigin::signed(CERTIFIER),
			spec(meter(CERTIFIER, MeterKind::Production))
		));
		assert_noop!(
			Production::certify(RuntimeOrigin::signed(CERTIFIER), own, 50_000),
			Error::<Test>::OwnFacility
		);
		assert_noop!(
			Production::revoke(RuntimeOrigin::signed(CERTIFIER), own, reason("x")),
			Error::<Test>::OwnFacility
		);
		assert!(!Production::may_sell(own, 2_000));
		// Certification has a maximum term (a year in the tests).
		let f = facility();
		let now = <<Test as crate::Config>::Grid as daeg_primitives::GridClock>::now_ms();
		assert_noop!(
			Production::certify(
				RuntimeOrigin::signed(CERTIFIER),
				f,
				now + CERTIFICATION_TERM_MS + 1
			),
			Error::<Test>::TermTooLong
		);
		assert_ok!(Production::certify(
			RuntimeOrigin::signed(CERTIFIER),
			f,
			now + CERTIFICATION_TERM_MS
		));
		// A revocation is not beyond recall: the operators reinstate, a certifier certifies.
		assert_noop!(Production::reinstate(RuntimeOrigin::root(), f), Error::<Test>::NotRevoked);
		assert_ok!(Production::revoke(RuntimeOrigin::signed(CERTIFIER), f, reason("error")));
		assert_noop!(
			Production::reinstate(RuntimeOrigin::signed(CERTIFIER), f),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Production::reinstate(RuntimeOrigin::root(), FacilityId(99)),
			Error::<Test>::UnknownFacility
		);
		assert_ok!(Production::reinstate(RuntimeOrigin::signed(OPERATOR), f));
		System::assert_last_event(Event::FacilityReinstated { facility: f }.into());
		assert_eq!(certification(f), Certification::Pending);
		assert_ok!(Production::certify(RuntimeOrigin::signed(CERTIFIER), f, now + 10_000));
		assert!(Production::may_sell(f, now + 1));
	});
}

#[test]
fn try_state_catches_a_broken_index() {
	new_test_ext().execute_with(|| {
		let f = facility();
		assert_ok!(Production::do_try_state());
		FacilityOfMeter::<Test>::remove(Facilities::<Test>::get(f).unwrap().spec.meter);
		assert!(Production::do_try_state().is_err());
	});
}

/// A final record of `exported` Wh in `interval`.
fn final_value(
	interval: u32,
	exported: u64,
	quality: daeg_primitives::consumption::Quality,
) -> daeg_primitives::consumption::IntervalRecord {
	daeg_primitives::consumption::IntervalRecord {
		interval: daeg_primitives::IntervalIndex(interval),
		imported: daeg_primitives::Energy(0),
		exported: daeg_primitives::Energy(exported),
		quality,
		anomaly: None,
	}
}

#[test]
fn final_meter_values_become_the_facility_s_production() {
	use daeg_primitives::{
		consumption::{OnFinalInterval, Quality},
		Energy,
	};
	use sp_runtime::Permill;
	run(|| {
		let f = facility(); // 5 kW solar in zone 1
		let m = Facilities::<Test>::get(f).unwrap().spec.meter;
		// Day 3 (quarter-hours 288–383): 1,250 Wh twice, a zero, an estimated 625 Wh.
		use crate::WeightInfo;
		for (i, e, q) in [
			(300, 1_250, Quality::Measured),
			(301, 1_250, Quality::Measured),
			(302, 0, Quality::Measured),
			(303, 625, Quality::Substituted),
		] {
			let used = Production::on_final(m, &final_value(i, e, q));
			assert_eq!(used, <() as crate::WeightInfo>::on_final_interval());
		}
		// A meter that measures no facility is ignored, for the read that finds so.
		let used = Production::on_final(MeterId(77), &final_value(300, 9_999, Quality::Measured));
		assert!(used.all_lt(<() as WeightInfo>::on_final_interval()));

		let day = crate::FacilityDays::<Test>::get(f, 3).unwrap();
		assert_eq!(day.0, DayIndex(3));
		assert_eq!(
			(day.1.energy, day.1.intervals, day.1.producing, day.1.estimated),
			(Energy(3_125), 4, 3, 1)
		);
		// 5 kW over four quarter-hours is 5 kWh: 3,125 Wh is 62.5 %; output in 3 of 4.
		let r = Production::facility_report(f, DayIndex(0), DayIndex(6)).unwrap();
		assert_eq!(r.energy, Energy(3_125));
		assert_eq!(r.capacity_factor, Permill::from_rational(3_125u32, 5_000));
		assert_eq!(r.availability, Permill::from_percent(75));
		assert_eq!(Production::facility_report(f, DayIndex(4), DayIndex(10)).unwrap().intervals, 0);
		assert_eq!(Production::facility_report(FacilityId(9), DayIndex(0), DayIndex(1)), None);
		assert_eq!(
			Production::day_totals(DayIndex(3)),
			vec![(EnergySource::Solar, ZoneId(1), Energy(3_125))]
		);
		assert!(Production::day_totals(DayIndex(4)).is_empty());

		// A day that has left the ring gives way to the new one in its slot.
		Production::on_final(m, &final_value(300 + 96 * DAYS_KEPT, 10, Quality::Measured));
		assert_eq!(crate::FacilityDays::<Test>::get(f, 3).unwrap().1.energy, Energy(10));
		assert!(Production::day_totals(DayIndex(3)).is_empty());

		// Deregistering removes the facility's days.
		assert_ok!(Production::deregister_facility(RuntimeOrigin::signed(ALICE), f));
		assert_eq!(crate::FacilityDays::<Test>::iter_prefix(f).count(), 0);
	});
}
