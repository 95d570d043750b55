//! Demand response: programs, enrollment, events called at a peak, at a shortfall and by the
//! operators, and verification against baselines.

use super::*;
use crate::{DemandEvents, Enrollments, Error, Event, Participants, Unverified};
use daeg_primitives::{
	balancing::{DemandEvent, DemandTrigger},
	consumption::{FlexibleLoad, Quality},
	ring,
};
use frame_support::assert_noop;
use sp_runtime::traits::BadOrigin;

const ALICE: u64 = 1;
const CAROL: u64 = 3;
const DAVE: u64 = 4;

/// 4 kW for up to `hours` a day.
fn flexible(hours: u8) -> FlexibleLoad {
	FlexibleLoad { power: Power(4_000), max_hours_per_day: hours }
}

/// Zone 0's program at 0.5 per kWh; Carol's and Dave's homes enrolled with 4 kW for 4 hours,
/// with baselines of 600 Wh and 400 Wh (four measured event-free intervals each).
fn enrolled() -> (MeterId, MeterId) {
	grid();
	assert_ok!(Balancing::set_program(operators(), ZoneId(0), Some(PricePerKWh(500))));
	let (carol, dave) = (home(CAROL, 0), home(DAVE, 0));
	assert_ok!(Balancing::enroll(RuntimeOrigin::signed(CAROL), carol, flexible(4)));
	assert_ok!(Balancing::enroll(RuntimeOrigin::signed(DAVE), dave, flexible(4)));
	for k in 990..994 {
		finalize(carol, IntervalIndex(k), 600, 0);
		finalize(dave, IntervalIndex(k), 400, 0);
	}
	// An estimated value never enters a baseline.
	finalize_with(carol, IntervalIndex(994), 900, 0, Quality::Substituted, None);
	assert_eq!(Enrollments::<Test>::get(carol).unwrap().recent.to_vec(), vec![Energy(600); 4]);
	(carol, dave)
}

fn event(interval: IntervalIndex) -> DemandEvent {
	ring::kept(DemandEvents::<Test>::get(ZoneId(0), ring::slot(interval.0, 96)), interval).unwrap()
}

#[test]
fn a_peak_calls_demand_response_and_only_the_verified_reduction_is_rewarded() {
	run(|| {
		let (carol, dave) = enrolled();
		// Alice's 3 kWh against a peak threshold of 1 kWh, with wind for all of it: no
		// shortfall, a 2 kWh peak, no storage: both participants are called (1 kWh each).
		let wind = facility(ALICE, EnergySource::Wind, 0);
		let alice = home(ALICE, 0);
		ask(ALICE, wind, 3_000, 100);
		bid(ALICE, alice, 3_000, 300);
		clear();
		let called = event(OPEN);
		assert_eq!(
			(called.requested, called.expected, called.trigger),
			(Energy(2_000), Energy(2_000), DemandTrigger::Peak)
		);
		assert!(has(Event::DemandResponseCalled {
			interval: OPEN,
			zone: ZoneId(0),
			event: called,
			participants: 2
		}));
		let r = report(0, OPEN);
		assert_eq!(
			(r.peak, r.reduction_requested, r.over_peak),
			(Energy(2_000), Energy(2_000), Energy(0))
		);

		// Carol drops to 100 Wh: 500 Wh below her baseline, rewarded 0.25 from the pot.
		// Dave's 450 Wh is above his 400 Wh baseline: not rewarded.
		after_open();
		let (c, d, pot) = (balance(CAROL), balance(DAVE), balance(MARKET));
		finalize(carol, OPEN, 100, 0);
		finalize(dave, OPEN, 450, 0);
		assert!(has(Event::ReductionVerified {
			interval: OPEN,
			meter: carol,
			who: CAROL,
			baseline: Energy(600),
			metered: Energy(100),
			reduction: Energy(500),
			reward: 250,
		}));
		assert!(has(Event::ReductionUnverified {
			interval: OPEN,
			meter: dave,
			who: DAVE,
			reason: Unverified::NoReduction
		}));
		// The tariff of what they consumed (the zone's price, 0.2 per kWh) is settled besides.
		assert_eq!(price(0), Some(PricePerKWh(200)));
		assert_eq!(balance(CAROL) - c, 250 - 20);
		assert_eq!(d - balance(DAVE), 90);
		assert_eq!(pot - balance(MARKET), 250 - 20 - 90);
		let done = event(OPEN);
		assert_eq!((done.verified, done.rewarded), (Energy(500), 250));
		// An event interval does not enter the baseline.
		assert_eq!(Enrollments::<Test>::get(carol).unwrap().recent.to_vec(), vec![Energy(600); 4]);
	});
}

#[test]
fn no_baseline_or_an_estimated_value_earns_nothing() {
	run(|| {
		grid();
		assert_ok!(Balancing::set_program(operators(), ZoneId(0), Some(PricePerKWh(500))));
		let (carol, dave) = (home(CAROL, 0), home(DAVE, 0));
		assert_ok!(Balancing::enroll(RuntimeOrigin::signed(CAROL), carol, flexible(4)));
		assert_ok!(Balancing::enroll(RuntimeOrigin::signed(DAVE), dave, flexible(4)));
		// Three measured intervals: one short of a baseline.
		for k in 990..993 {
			finalize(carol, IntervalIndex(k), 600, 0);
		}
		assert_ok!(Balancing::call_demand_response(operators(), ZoneId(0), OPEN, 1, Energy(2_000)));
		assert_eq!(event(OPEN).trigger, DemandTrigger::Operators);
		after_open();
		finalize(carol, OPEN, 0, 0);
		finalize_with(dave, OPEN, 0, 0, Quality::Interpolated, None);
		assert!(has(Event::ReductionUnverified {
			interval: OPEN,
			meter: carol,
			who: CAROL,
			reason: Unverified::NoBaseline
		}));
		assert!(has(Event::ReductionUnverified {
			interval: OPEN,
			meter: dave,
			who: DAVE,
			reason: Unverified::NotMeasured
		}));
		assert_eq!(event(OPEN).rewarded, 0);
	});
}

#[test]
fn a_shortfall_storage_cannot_cover_calls_participants_within_their_hours() {
	run(|| {
		let (carol, _) = enrolled();
		// Carol may be called for one quarter-hour a day only once she has used four hours:
		// give her one hour and use it up.
		Enrollments::<Test>::mutate(carol, |e| {
			let e = e.as_mut().unwrap();
			e.flexible.max_hours_per_day = 1;
			e.called = (OPEN.day(INTERVAL_MS).unwrap(), 4);
		});
		let alice = home(ALICE, 1);
		bid_at(OPEN, ALICE, alice, 500, 300);
		// Zone 0 short by 500 Wh below its peak: a bid with no supply at all.
		let bob = home(2, 0);
		bid(2, bob, 500, 300);
		clear();
		let called = event(OPEN);
		// Only Dave was called.
		assert_eq!((called.trigger, called.expected), (DemandTrigger::Shortfall, Energy(1_000)));
		assert!(has(Event::DemandResponseCalled {
			interval: OPEN,
			zone: ZoneId(0),
			event: called,
			participants: 1
		}));
		assert_eq!(report(0, OPEN).unserved, Energy(0));
	});
}

#[test]
fn metered_load_above_the_peak_calls_the_next_interval() {
	run(|| {
		let (carol, dave) = enrolled();
		// 600 + 400 Wh is at the threshold, not above it; 200 Wh more crosses it.
		let other = home(ALICE, 0);
		finalize(other, IntervalIndex(995), 0, 0);
		finalize(carol, IntervalIndex(995), 600, 0);
		finalize(dave, IntervalIndex(995), 400, 0);
		assert!(System::events().iter().all(|r| !matches!(
			r.event,
			RuntimeEvent::Balancing(Event::DemandResponseCalled { .. })
		)));
		finalize(other, IntervalIndex(996), 1_200, 0);
		let next = IntervalIndex(1_001);
		let called = event(next);
		assert_eq!((called.trigger, called.requested), (DemandTrigger::MeteredPeak, Energy(200)));
	});
}

#[test]
fn enrollment_and_programs_check_their_input() {
	run(|| {
		grid();
		let carol = home(CAROL, 0);
		let signed = RuntimeOrigin::signed(CAROL);
		assert_noop!(
			Balancing::enroll(signed.clone(), carol, flexible(4)),
			Error::<Test>::NoProgram
		);
		assert_noop!(
			Balancing::set_program(RuntimeOrigin::signed(CAROL), ZoneId(0), Some(PricePerKWh(1))),
			BadOrigin
		);
		assert_noop!(
			Balancing::set_program(operators(), ZoneId(9), Some(PricePerKWh(1))),
			Error::<Test>::UnknownZone
		);
		assert_ok!(Balancing::set_program(operators(), ZoneId(0), Some(PricePerKWh(500))));
		assert_noop!(
			Balancing::enroll(signed.clone(), MeterId(99), flexible(4)),
			Error::<Test>::UnknownMeter
		);
		assert_noop!(
			Balancing::enroll(RuntimeOrigin::signed(ALICE), carol, flexible(4)),
			Error::<Test>::NotMeterOwner
		);
		set_active(carol, false);
		assert_noop!(
			Balancing::enroll(signed.clone(), carol, flexible(4)),
			Error::<Test>::MeterInactive
		);
		set_active(carol, true);
		let plant = meter(CAROL, 0, MeterKind::Production);
		assert_noop!(
			Balancing::enroll(signed.clone(), plant, flexible(4)),
			Error::<Test>::MeterCannotImport
		);
		for bad in [
			FlexibleLoad { power: Power(0), max_hours_per_day: 4 },
			FlexibleLoad { power: Power(50_001), max_hours_per_day: 4 },
			FlexibleLoad { power: Power(1_000), max_hours_per_day: 0 },
			FlexibleLoad { power: Power(1_000), max_hours_per_day: 25 },
		] {
			assert_noop!(
				Balancing::enroll(signed.clone(), carol, bad),
				Error::<Test>::BadFlexibleLoad
			);
		}
		assert_ok!(Balancing::enroll(signed.clone(), carol, flexible(4)));
		assert_noop!(
			Balancing::enroll(signed.clone(), carol, flexible(4)),
			Error::<Test>::MeterInUse
		);
		for k in 0..7 {
			let m = home(10 + k, 0);
			assert_ok!(Balancing::enroll(RuntimeOrigin::signed(10 + k), m, flexible(1)));
		}
		let ninth = home(CAROL, 0);
		assert_noop!(
			Balancing::enroll(signed.clone(), ninth, flexible(4)),
			Error::<Test>::TooManyParticipants
		);
		assert_noop!(Balancing::leave(signed.clone(), ninth), Error::<Test>::NotEnrolled);
		assert_noop!(
			Balancing::leave(RuntimeOrigin::signed(ALICE), carol),
			Error::<Test>::NotMeterOwner
		);
		assert_ok!(Balancing::leave(signed, carol));
		assert!(!Participants::<Test>::get(ZoneId(0)).contains(&carol));
		assert!(has(Event::Left { meter: carol }));
	});
}

#[test]
fn operators_call_events_for_intervals_not_started() {
	run(|| {
		grid();
		let call = |origin, zone, from, n, e| {
			Balancing::call_demand_response(origin, ZoneId(zone), from, n, Energy(e))
		};
		assert_noop!(call(RuntimeOrigin::signed(ALICE), 0, OPEN, 1, 100), BadOrigin);
		assert_noop!(call(operators(), 0, OPEN, 1, 100), Error::<Test>::NoProgram);
		assert_ok!(Balancing::set_program(operators(), ZoneId(0), Some(PricePerKWh(500))));
		assert_noop!(call(operators(), 9, OPEN, 1, 100), Error::<Test>::UnknownZone);
		assert_noop!(call(operators(), 0, OPEN, 1, 0), Error::<Test>::BadEvent);
		assert_noop!(call(operators(), 0, OPEN, 0, 100), Error::<Test>::BadEvent);
		assert_noop!(call(operators(), 0, OPEN, 9, 100), Error::<Test>::BadEvent);
		assert_noop!(call(operators(), 0, IntervalIndex(1_000), 1, 100), Error::<Test>::BadEvent);
		// Without participants nothing is called.
		assert_ok!(call(operators(), 0, OPEN, 2, 100));
		assert!(DemandEvents::<Test>::iter().next().is_none());
	});
}
