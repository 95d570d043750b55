//! Maintenance windows, overdue maintenance and the efficiency check.

use super::*;
use crate::{Efficiency, Maintenance, Operation, SourceParams};
use daeg_primitives::{
	consumption::{OnFinalInterval, Quality},
	production::{EfficiencyRule, MaintenanceWindow, SourceParameters},
	Energy, DAY_MS,
};
use sp_runtime::{traits::BadOrigin, Permill};

const HOUR: u64 = 3_600_000;

/// Alice's certified solar facility (commissioned on day 20,000) and its meter; grid time is
/// day 20,010.
fn certified_solar() -> (FacilityId, MeterId) {
	let f = facility();
	certifier();
	NowMs::set(20_010 * DAY_MS);
	let until = 20_010 * DAY_MS + CERTIFICATION_TERM_MS;
	assert_ok!(Production::certify(RuntimeOrigin::signed(CERTIFIER), f, until));
	(f, Facilities::<Test>::get(f).unwrap().spec.meter)
}

fn window(start_ms: u64, end_ms: u64) -> MaintenanceWindow {
	MaintenanceWindow { start_ms, end_ms }
}

#[test]
fn a_facility_under_maintenance_may_not_sell() {
	run(|| {
		let (f, _) = certified_solar();
		let now = NowMs::get();
		let w = window(now + NOTICE_MS, now + NOTICE_MS + 8 * HOUR);
		assert_ok!(Production::declare_maintenance(RuntimeOrigin::signed(ALICE), f, w));
		System::assert_last_event(Event::MaintenanceDeclared { facility: f, window: w }.into());
		assert!(Production::may_sell(f, w.start_ms - 1));
		assert!(!Production::may_sell(f, w.start_ms));
		assert!(!Production::may_sell(f, w.end_ms - 1));
		assert!(Production::may_sell(f, w.end_ms));
		// Windows are kept in order of start.
		let earlier = window(now + NOTICE_MS - 2 * HOUR + DAY_MS / 2, now + NOTICE_MS);
		let earlier = window(earlier.start_ms.max(now + NOTICE_MS), earlier.end_ms);
		assert_noop!(
			Production::declare_maintenance(RuntimeOrigin::signed(ALICE), f, earlier),
			Error::<Test>::EmptyWindow
		);
		let later = window(w.end_ms + DAY_MS, w.end_ms + 2 * DAY_MS);
		let first = window(now + NOTICE_MS + DAY_MS * 5, now + NOTICE_MS + DAY_MS * 6);
		assert_ok!(Production::declare_maintenance(RuntimeOrigin::signed(ALICE), f, first));
		assert_ok!(Production::declare_maintenance(RuntimeOrigin::signed(ALICE), f, later));
		assert_eq!(Maintenance::<Test>::get(f).into_inner(), vec![w, later, first]);
		assert_eq!(Production::facility_status(f).unwrap().maintenance, vec![w, later, first]);
	});
}

#[test]
fn bad_maintenance_declarations_are_refused() {
	run(|| {
		let (f, _) = certified_solar();
		let start = NowMs::get() + NOTICE_MS;
		let declare = |who, f, w| Production::declare_maintenance(RuntimeOrigin::signed(who), f, w);
		assert_noop!(
			declare(ALICE, FacilityId(9), window(start, start + 1)),
			Error::<Test>::UnknownFacility
		);
		assert_noop!(declare(BOB, f, window(start, start + 1)), Error::<Test>::NotOwner);
		assert_noop!(declare(ALICE, f, window(start, start)), Error::<Test>::EmptyWindow);
		assert_noop!(declare(ALICE, f, window(start + 1, start)), Error::<Test>::EmptyWindow);
		assert_noop!(
			declare(ALICE, f, window(start, start + MAX_MAINTENANCE_MS + 1)),
			Error::<Test>::WindowTooLong
		);
		assert_noop!(
			declare(ALICE, f, window(start - 1, start + HOUR)),
			Error::<Test>::TooLittleNotice
		);
		assert_ok!(declare(ALICE, f, window(start, start + HOUR)));
		assert_noop!(
			declare(ALICE, f, window(start + HOUR - 1, start + 2 * HOUR)),
			Error::<Test>::WindowOverlaps
		);
		assert_ok!(declare(ALICE, f, window(start + HOUR, start + 2 * HOUR)));
		assert_ok!(declare(ALICE, f, window(start + 2 * HOUR, start + 3 * HOUR)));
		assert_noop!(
			declare(ALICE, f, window(start + 3 * HOUR, start + 4 * HOUR)),
			Error::<Test>::TooManyWindows
		);
		assert_noop!(
			Production::declare_maintenance(RuntimeOrigin::none(), f, window(start, start + 1)),
			BadOrigin
		);
	});
}

#[test]
fn maintenance_is_cancelled_only_before_it_starts() {
	run(|| {
		let (f, _) = certified_solar();
		let start = NowMs::get() + NOTICE_MS;
		let w = window(start, start + HOUR);
		assert_ok!(Production::declare_maintenance(RuntimeOrigin::signed(ALICE), f, w));
		let cancel =
			|who, start| Production::cancel_maintenance(RuntimeOrigin::signed(who), f, start);
		assert_noop!(cancel(BOB, start), Error::<Test>::NotOwner);
		assert_noop!(cancel(ALICE, start + 1), Error::<Test>::UnknownWindow);
		assert_noop!(
			Production::cancel_maintenance(RuntimeOrigin::signed(ALICE), FacilityId(9), start),
			Error::<Test>::UnknownFacility
		);
		NowMs::set(start);
		assert_noop!(cancel(ALICE, start), Error::<Test>::MaintenanceStarted);
		NowMs::set(start - 1);
		assert_ok!(cancel(ALICE, start));
		System::assert_last_event(Event::MaintenanceCancelled { facility: f, window: w }.into());
		assert!(Maintenance::<Test>::get(f).is_empty());
		assert!(Production::may_sell(f, start));
	});
}

#[test]
fn overdue_maintenance_is_reported_once_and_cleared_by_maintenance() {
	run(|| {
		let (f, m) = certified_solar();
		let solar = SourceParameters {
			typical_capacity_factor: Permill::zero(),
			maintenance_interval_days: Some(30),
		};
		assert_noop!(
			Production::set_source_parameters(
				RuntimeOrigin::signed(ALICE),
				EnergySource::Solar,
				solar
			),
			BadOrigin
		);
		assert_noop!(
			Production::set_source_parameters(RuntimeOrigin::root(), EnergySource::Grid, solar),
			Error::<Test>::GridIsNotASource
		);
		assert_ok!(Production::set_source_parameters(
			RuntimeOrigin::root(),
			EnergySource::Solar,
			solar
		));
		System::assert_last_event(
			Event::SourceParametersSet { source: EnergySource::Solar, parameters: solar }.into(),
		);
		assert_eq!(SourceParams::<Test>::get(EnergySource::Solar), Some(solar));
		// Commissioned on day 20,000: due on day 20,030, overdue from day 20,031.
		let status = Production::facility_status(f).unwrap();
		assert_eq!(
			(status.last_maintained, status.maintenance_due),
			(DayIndex(20_000), Some(DayIndex(20_030)))
		);
		let interval = |day: u64| (day * 96) as u32;
		NowMs::set(20_030 * DAY_MS + 1);
		Production::on_final(m, &final_value(interval(20_030), 0, Quality::Measured));
		assert!(Production::overdue_maintenance().is_empty());
		NowMs::set(20_031 * DAY_MS);
		Production::on_final(m, &final_value(interval(20_031), 0, Quality::Measured));
		System::assert_last_event(
			Event::MaintenanceOverdue { facility: f, due: DayIndex(20_030) }.into(),
		);
		assert_eq!(Production::overdue_maintenance(), vec![(f, DayIndex(20_030))]);
		// Reported once.
		System::reset_events();
		Production::on_final(m, &final_value(interval(20_031) + 1, 0, Quality::Measured));
		assert!(System::events().is_empty());

		// Maintenance on days 20,032–20,033; once it has ended the facility is maintained.
		let w = window(20_032 * DAY_MS, 20_034 * DAY_MS);
		assert_ok!(Production::declare_maintenance(RuntimeOrigin::signed(ALICE), f, w));
		NowMs::set(20_034 * DAY_MS);
		Production::on_final(m, &final_value(interval(20_034), 0, Quality::Measured));
		System::assert_has_event(Event::MaintenanceCompleted { facility: f, window: w }.into());
		let op = Operation::<Test>::get(f).unwrap();
		assert_eq!((op.last_maintained, op.overdue_reported), (DayIndex(20_033), false));
		assert!(Production::overdue_maintenance().is_empty());
		assert_eq!(Production::facility_status(f).unwrap().maintenance_due, Some(DayIndex(20_063)));
		assert!(Maintenance::<Test>::get(f).is_empty());
	});
}

#[test]
fn facilities_with_low_output_are_flagged_and_unflagged() {
	run(|| {
		let (f, m) = certified_solar(); // 5 kW
		let feed = |from: u32, wh: [u64; 4]| {
			for (k, e) in wh.iter().enumerate() {
				Production::on_final(m, &final_value(from + k as u32, *e, Quality::Measured));
			}
		};
		// Without a rule nothing is counted.
		feed(0, [0, 0, 0, 0]);
		assert_eq!(Operation::<Test>::get(f).unwrap().window_intervals, 0);

		assert_noop!(
			Production::set_efficiency_rule(
				RuntimeOrigin::root(),
				Some(EfficiencyRule { share: Permill::from_percent(50), intervals: 0 })
			),
			Error::<Test>::ZeroIntervals
		);
		let rule = EfficiencyRule { share: Permill::from_percent(50), intervals: 4 };
		assert_noop!(
			Production::set_efficiency_rule(RuntimeOrigin::signed(ALICE), Some(rule)),
			BadOrigin
		);
		assert_ok!(Production::set_efficiency_rule(RuntimeOrigin::root(), Some(rule)));
		System::assert_last_event(Event::EfficiencyRuleSet { rule: Some(rule) }.into());
		assert_eq!(Efficiency::<Test>::get(), Some(rule));
		// Without a typical capacity factor for solar nothing is counted either.
		feed(4, [0, 0, 0, 0]);
		assert_eq!(Operation::<Test>::get(f).unwrap().window_intervals, 0);
		assert_ok!(Production::set_source_parameters(
			RuntimeOrigin::root(),
			EnergySource::Solar,
			SourceParameters {
				typical_capacity_factor: Permill::from_percent(20),
				maintenance_interval_days: None
			}
		));
		// 5 kW for an hour at 20 % is 1,000 Wh expected; below 500 Wh is low.
		feed(8, [100, 100, 100, 100]);
		System::assert_last_event(
			Event::LowOutput { facility: f, measured: Energy(400), expected: Energy(1_000) }.into(),
		);
		assert!(Production::facility_status(f).unwrap().low_output);
		System::reset_events();
		feed(12, [100, 100, 100, 100]);
		let flags = System::events()
			.into_iter()
			.filter(|r| matches!(r.event, RuntimeEvent::Production(Event::LowOutput { .. })));
		assert_eq!(flags.count(), 0, "flagged once");
		feed(16, [0, 0, 200, 300]);
		System::assert_last_event(
			Event::OutputRecovered { facility: f, measured: Energy(500), expected: Energy(1_000) }
				.into(),
		);
		assert!(!Production::facility_status(f).unwrap().low_output);
		assert_ok!(Production::set_efficiency_rule(RuntimeOrigin::root(), None));
		assert_eq!(Efficiency::<Test>::get(), None);
	});
}

#[test]
fn try_state_catches_overlapping_windows() {
	new_test_ext().execute_with(|| {
		let (f, _) = certified_solar();
		let start = NowMs::get() + NOTICE_MS;
		assert_ok!(Production::declare_maintenance(
			RuntimeOrigin::signed(ALICE),
			f,
			window(start, start + HOUR)
		));
		assert_ok!(Production::do_try_state());
		Maintenance::<Test>::mutate(f, |w| {
			let _ = w.try_push(window(start, start + 2 * HOUR));
		});
		assert!(Production::do_try_state().is_err());
	});
}
