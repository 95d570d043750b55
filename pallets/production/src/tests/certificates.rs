//! Certificates of origin and the feed-in premium.

use super::*;
use crate::{Certificates, Certifiers, Claimed, ExpiryCursor, Operation, UnpaidPremium};
use daeg_primitives::{
	consumption::{Anomaly, OnFinalInterval, Quality},
	production::CertificateId,
	Energy, HourIndex, PricePerKWh,
};
use frame_support::traits::{fungible::Mutate, Hooks};
use sp_runtime::traits::BadOrigin;

/// Alice's facility of `source`, certified until `until_ms`, and its meter.
fn certified(source: EnergySource, until_ms: u64) -> (FacilityId, MeterId) {
	certified_of(ALICE, source, until_ms)
}

/// `owner`'s facility of `source`, certified until `until_ms`, and its meter.
fn certified_of(owner: u64, source: EnergySource, until_ms: u64) -> (FacilityId, MeterId) {
	let m = meter(owner, MeterKind::Production);
	let id = crate::NextFacilityId::<Test>::get();
	assert_ok!(Production::register_facility(
		RuntimeOrigin::signed(owner),
		FacilitySpec { source, ..spec(m) }
	));
	if !Certifiers::<Test>::contains_key(CERTIFIER) {
		certifier();
	}
	assert_ok!(Production::certify(RuntimeOrigin::signed(CERTIFIER), id, until_ms));
	(id, m)
}

/// Feeds final values `(interval, Wh, quality)` of `meter`.
fn feed(m: MeterId, values: &[(u32, u64, Quality)]) {
	for (i, e, q) in values {
		Production::on_final(m, &final_value(*i, *e, *q));
	}
}

fn issued() -> Vec<(CertificateId, Energy)> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Production(Event::CertificateIssued { id, energy, .. }) => {
				Some((id, energy))
			}
			_ => None,
		})
		.collect()
}

fn id(hour: u32, serial: u64) -> CertificateId {
	CertificateId { hour: HourIndex(hour), serial }
}

#[test]
fn certified_renewable_export_earns_hourly_certificates() {
	use Quality::*;
	run(|| {
		let (f, m) = certified(EnergySource::Wind, CERTIFICATION_TERM_MS);
		// Hour 1 is quarter-hours 4–7; the substituted one earns nothing.
		feed(m, &[(4, 100, Measured), (5, 200, Interpolated), (6, 300, Substituted)]);
		assert!(issued().is_empty());
		feed(m, &[(7, 400, Measured)]);
		assert_eq!(issued(), vec![(id(1, 0), Energy(700))]);
		System::assert_has_event(
			Event::CertificateIssued {
				id: id(1, 0),
				facility: f,
				owner: ALICE,
				energy: Energy(700),
				source: EnergySource::Wind,
				zone: ZoneId(1),
				intensity: WIND_INTENSITY,
			}
			.into(),
		);
		let c = Certificates::<Test>::get(HourIndex(1), 0).unwrap();
		assert_eq!((c.owner, c.energy, c.claimed, c.facility), (ALICE, Energy(700), None, f));
		// Hour 2 lacks its last interval: its certificate comes with the next hour's first.
		feed(m, &[(8, 50, Measured), (9, 60, Measured), (12, 70, Measured)]);
		assert_eq!(issued()[1], (id(2, 1), Energy(110)));
		let op = Operation::<Test>::get(f).unwrap();
		assert_eq!(op.metered_renewable, Energy(1_180));
		assert_eq!(op.certified, Energy(810));
		assert_eq!(op.open_hour, Some((HourIndex(3), Energy(70))));
	});
}

#[test]
fn only_certified_renewable_measured_output_is_certified() {
	use Quality::*;
	run(|| {
		// Certified until the start of quarter-hour 6: 6 and 7 are not certified.
		let (_, wind) = certified(EnergySource::Wind, 6 * 900_000);
		feed(
			wind,
			&[(4, 100, Measured), (5, 100, Measured), (6, 100, Measured), (7, 100, Measured)],
		);
		assert_eq!(issued(), vec![(id(1, 0), Energy(200))]);

		// Thermal is not renewable.
		let (thermal_f, thermal) = certified(EnergySource::Thermal, CERTIFICATION_TERM_MS);
		// (Alice has as many facilities as she may: Bob and Carol own the next.)
		feed(
			thermal,
			&[(8, 100, Measured), (9, 100, Measured), (10, 100, Measured), (11, 1, Measured)],
		);
		assert_eq!(issued().len(), 1);
		assert_eq!(Operation::<Test>::get(thermal_f).unwrap().metered_renewable, Energy(0));

		// A pending facility earns nothing; nor does a flagged reading.
		let pending = meter(CAROL, MeterKind::Production);
		assert_ok!(Production::register_facility(
			RuntimeOrigin::signed(CAROL),
			FacilitySpec { source: EnergySource::Hydro, ..spec(pending) }
		));
		feed(pending, &[(12, 100, Measured), (15, 100, Measured)]);
		let (_, flagged) = certified_of(BOB, EnergySource::Hydro, CERTIFICATION_TERM_MS);
		let mut record = final_value(19, 500, Measured);
		record.anomaly = Some(Anomaly::Jump);
		Production::on_final(flagged, &record);
		assert_eq!(issued().len(), 1);
	});
}

#[test]
fn governance_sets_the_premium_and_producers_are_paid_per_certified_kwh() {
	use Quality::*;
	run(|| {
		assert_noop!(
			Production::set_feed_in_premium(RuntimeOrigin::signed(ALICE), PricePerKWh(100)),
			BadOrigin
		);
		assert_ok!(Production::set_feed_in_premium(RuntimeOrigin::root(), PricePerKWh(100)));
		System::assert_last_event(Event::FeedInPremiumSet { rate: PricePerKWh(100) }.into());
		let (_, m) = certified(EnergySource::Wind, CERTIFICATION_TERM_MS);
		let before = Balances::free_balance(ALICE);
		// 700 Wh at 100 per kWh is 70.
		feed(m, &[(4, 300, Measured), (7, 400, Measured)]);
		System::assert_has_event(Event::PremiumPaid { producer: ALICE, amount: 70 }.into());
		assert_eq!(Balances::free_balance(ALICE), before + 70);
		assert_eq!(Balances::free_balance(INCENTIVES), 1_000 - 70);

		// The incentives account runs short: the premium is owed, then collected.
		Balances::set_balance(&INCENTIVES, 10);
		feed(m, &[(11, 500, Measured)]);
		System::assert_has_event(Event::PremiumDeferred { producer: ALICE, amount: 50 }.into());
		assert_eq!(UnpaidPremium::<Test>::get(ALICE), 50);
		assert_eq!(Production::facility_status(FacilityId(0)).unwrap().unpaid_premium, 50);
		assert_noop!(
			Production::collect_premium(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::IncentivesShort
		);
		Balances::set_balance(&INCENTIVES, 1_000);
		assert_ok!(Production::collect_premium(RuntimeOrigin::signed(ALICE)));
		System::assert_last_event(Event::PremiumPaid { producer: ALICE, amount: 50 }.into());
		assert_eq!(UnpaidPremium::<Test>::get(ALICE), 0);
		assert_eq!(Balances::free_balance(INCENTIVES), 950);
		assert_noop!(
			Production::collect_premium(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::NothingOwed
		);
	});
}

/// Alice's certificate of 700 Wh in hour 1 (day 0).
fn alice_certificate() -> CertificateId {
	let (_, m) = certified(EnergySource::Wind, CERTIFICATION_TERM_MS);
	feed(m, &[(4, 300, Quality::Measured), (7, 400, Quality::Measured)]);
	id(1, 0)
}

#[test]
fn certificates_are_transferred_whole_or_in_part() {
	run(|| {
		let c = alice_certificate();
		// Part: a new certificate of the same hour goes to Carol.
		assert_ok!(Production::transfer_certificate(
			RuntimeOrigin::signed(ALICE),
			c,
			CAROL,
			Energy(200)
		));
		let part = id(1, 1);
		System::assert_last_event(
			Event::CertificateTransferred {
				id: c,
				to_id: part,
				from: ALICE,
				to: CAROL,
				energy: Energy(200),
			}
			.into(),
		);
		let (kept, given) = (
			Certificates::<Test>::get(HourIndex(1), 0).unwrap(),
			Certificates::<Test>::get(HourIndex(1), 1).unwrap(),
		);
		assert_eq!((kept.owner, kept.energy), (ALICE, Energy(500)));
		assert_eq!(
			(given.owner, given.energy, given.source),
			(CAROL, Energy(200), EnergySource::Wind)
		);
		assert_eq!(given.intensity, WIND_INTENSITY);
		// Whole: the certificate keeps its id.
		assert_ok!(Production::transfer_certificate(
			RuntimeOrigin::signed(CAROL),
			part,
			BOB,
			Energy(200)
		));
		System::assert_last_event(
			Event::CertificateTransferred {
				id: part,
				to_id: part,
				from: CAROL,
				to: BOB,
				energy: Energy(200),
			}
			.into(),
		);
		assert_eq!(Certificates::<Test>::get(HourIndex(1), 1).unwrap().owner, BOB);
	});
}

#[test]
fn bad_transfers_are_refused() {
	run(|| {
		let c = alice_certificate();
		let transfer = |who, c, e| {
			Production::transfer_certificate(RuntimeOrigin::signed(who), c, CAROL, Energy(e))
		};
		assert_noop!(transfer(ALICE, id(1, 9), 1), Error::<Test>::UnknownCertificate);
		assert_noop!(transfer(BOB, c, 1), Error::<Test>::NotCertificateHolder);
		assert_noop!(transfer(ALICE, c, 0), Error::<Test>::ZeroEnergy);
		assert_noop!(transfer(ALICE, c, 701), Error::<Test>::NotEnoughEnergy);
		let home = meter(ALICE, MeterKind::Consumption);
		set_final_day(home, DayIndex(0), Energy(5_000));
		assert_ok!(Production::claim_certificate(
			RuntimeOrigin::signed(ALICE),
			c,
			Energy(700),
			home
		));
		assert_noop!(transfer(ALICE, c, 1), Error::<Test>::AlreadyClaimed);
		assert_noop!(
			Production::transfer_certificate(RuntimeOrigin::none(), c, CAROL, Energy(1)),
			BadOrigin
		);
	});
}

#[test]
fn holders_claim_certificates_against_their_own_consumption() {
	run(|| {
		let c = alice_certificate();
		assert_ok!(Production::transfer_certificate(
			RuntimeOrigin::signed(ALICE),
			c,
			CAROL,
			Energy(700)
		));
		let home = meter(CAROL, MeterKind::Consumption);
		// Carol's meter imported 500 Wh on day 0 (hour 1's day).
		set_final_day(home, DayIndex(0), Energy(500));
		// Part: 300 Wh are claimed as a new certificate; 400 stay claimable.
		assert_ok!(Production::claim_certificate(
			RuntimeOrigin::signed(CAROL),
			c,
			Energy(300),
			home
		));
		let claimed = id(1, 1);
		System::assert_last_event(
			Event::CertificateClaimed {
				id: claimed,
				holder: CAROL,
				meter: home,
				energy: Energy(300),
			}
			.into(),
		);
		assert_eq!(Certificates::<Test>::get(HourIndex(1), 1).unwrap().claimed, Some(home));
		assert_eq!(Certificates::<Test>::get(HourIndex(1), 0).unwrap().energy, Energy(400));
		assert_eq!(Production::claimed_on(home, DayIndex(0)), Energy(300));
		// The meter imported only 200 Wh more that day.
		assert_noop!(
			Production::claim_certificate(RuntimeOrigin::signed(CAROL), c, Energy(201), home),
			Error::<Test>::ExceedsConsumption
		);
		assert_ok!(Production::claim_certificate(
			RuntimeOrigin::signed(CAROL),
			c,
			Energy(200),
			home
		));
		assert_eq!(Production::claimed_on(home, DayIndex(0)), Energy(500));
		// A claimed certificate is never claimed again.
		set_final_day(home, DayIndex(0), Energy(5_000));
		assert_noop!(
			Production::claim_certificate(RuntimeOrigin::signed(CAROL), claimed, Energy(300), home),
			Error::<Test>::AlreadyClaimed
		);
		// Whole: the rest (200 Wh) is claimed under its own id.
		assert_ok!(Production::claim_certificate(
			RuntimeOrigin::signed(CAROL),
			c,
			Energy(200),
			home
		));
		assert_eq!(Certificates::<Test>::get(HourIndex(1), 0).unwrap().claimed, Some(home));
		assert_eq!(Production::claimed_on(home, DayIndex(0)), Energy(700));
	});
}

#[test]
fn bad_claims_are_refused() {
	run(|| {
		let c = alice_certificate();
		let home = meter(ALICE, MeterKind::Consumption);
		let bobs = meter(BOB, MeterKind::Consumption);
		let claim =
			|m, e| Production::claim_certificate(RuntimeOrigin::signed(ALICE), c, Energy(e), m);
		assert_noop!(claim(MeterId(99), 1), Error::<Test>::UnknownMeter);
		assert_noop!(claim(bobs, 1), Error::<Test>::NotMeterOwner);
		assert_noop!(claim(home, 1), Error::<Test>::ConsumptionUnknown);
		set_final_day(home, DayIndex(0), Energy(10_000));
		assert_noop!(claim(home, 0), Error::<Test>::ZeroEnergy);
		assert_noop!(claim(home, 701), Error::<Test>::NotEnoughEnergy);
		assert_noop!(
			Production::claim_certificate(RuntimeOrigin::signed(ALICE), id(1, 7), Energy(1), home),
			Error::<Test>::UnknownCertificate
		);
		set_final_day(bobs, DayIndex(0), Energy(10_000));
		assert_noop!(
			Production::claim_certificate(RuntimeOrigin::signed(BOB), c, Energy(1), bobs),
			Error::<Test>::NotCertificateHolder
		);
		// A claim on another day's consumption does not count for day 0.
		set_final_day(home, DayIndex(0), Energy(0));
		set_final_day(home, DayIndex(1), Energy(10_000));
		assert_noop!(claim(home, 1), Error::<Test>::ExceedsConsumption);
	});
}

#[test]
fn certificates_expire_after_the_days_kept() {
	run(|| {
		let c = alice_certificate();
		assert_eq!(ExpiryCursor::<Test>::get(), Some(HourIndex(1)));
		// Without weight to spare nothing is done.
		NowMs::set(u64::MAX / 2);
		Production::on_idle(1, frame_support::weights::Weight::zero());
		assert!(Certificates::<Test>::contains_key(c.hour, c.serial));
		// Not yet: hour 1 is within DAYS_KEPT days.
		NowMs::set(u64::from(DAYS_KEPT) * 86_400_000);
		Production::on_idle(1, frame_support::weights::Weight::MAX);
		assert!(Certificates::<Test>::contains_key(c.hour, c.serial));
		// DAYS_KEPT days after hour 1 ends it is removed; the cursor moves on.
		NowMs::set(u64::from(DAYS_KEPT) * 86_400_000 + 2 * 3_600_000);
		Production::on_idle(1, frame_support::weights::Weight::MAX);
		assert!(!Certificates::<Test>::contains_key(c.hour, c.serial));
		assert_eq!(ExpiryCursor::<Test>::get(), Some(HourIndex(2)));
		assert_noop!(
			Production::transfer_certificate(RuntimeOrigin::signed(ALICE), c, BOB, Energy(1)),
			Error::<Test>::UnknownCertificate
		);
	});
}

#[test]
fn try_state_catches_over_certification_and_double_claims() {
	new_test_ext().execute_with(|| {
		let c = alice_certificate();
		assert_ok!(Production::do_try_state());
		Operation::<Test>::mutate(FacilityId(0), |op| {
			op.as_mut().unwrap().metered_renewable = Energy(600)
		});
		assert!(Production::do_try_state().is_err());
		Operation::<Test>::mutate(FacilityId(0), |op| {
			op.as_mut().unwrap().metered_renewable = Energy(700)
		});
		let home = meter(ALICE, MeterKind::Consumption);
		set_final_day(home, DayIndex(0), Energy(1_000));
		assert_ok!(Production::claim_certificate(
			RuntimeOrigin::signed(ALICE),
			c,
			Energy(700),
			home
		));
		assert_ok!(Production::do_try_state());
		// A claim the meter's tally does not hold: as if it were claimed a second time.
		Claimed::<Test>::remove(home, 0);
		assert!(Production::do_try_state().is_err());
		Claimed::<Test>::insert(home, 0, (DayIndex(0), Energy(700)));
		// Claims above the meter's import.
		set_final_day(home, DayIndex(0), Energy(699));
		assert!(Production::do_try_state().is_err());
	});
}
