//! Missing data and final values: provisional and final substitutes, gaps spread over open
//! intervals only, profiles, day and month totals, and the bounded `on_idle` pass.

use super::{
	install,
	readings::{apply, at, meter_with_baseline, reading, record, state, START},
};
use crate::{
	mock::*, DayTotals, Event, FinalizePass, History, Meters, MonthTotals, Pass, Profiles,
};
use daeg_primitives::{
	consumption::{Correction, IntervalRecord, MeteredEnergy, Quality},
	consumption::{EnergyTotals, Period, ProfileHour},
	DayIndex, Energy, IntervalIndex, MeterId, MonthIndex,
};
use frame_support::{
	assert_ok,
	traits::{fungible::Mutate, Get, Hooks},
	weights::Weight,
};

/// Runs the `on_idle` pass with all the weight it wants.
fn idle() -> Weight {
	Consumption::on_idle(1, Weight::MAX)
}

/// The energy of `meter`'s records from `from` to `to` inclusive.
fn sum(meter: MeterId, from: u32, to: u32) -> (u64, u64) {
	(from..=to)
		.filter_map(|t| record(meter, t))
		.fold((0, 0), |(i, e), r| (i + r.imported.0, e + r.exported.0))
}

/// A meter that read 400 Wh per interval for `n` intervals after its baseline at `START`,
/// grid time in the interval after the last reading.
fn steady_meter(n: u32) -> MeterId {
	let id = meter_with_baseline();
	for k in 1..=n {
		at(START + k + 1);
		assert_ok!(apply(reading(id, START + k, 1_000 + 400 * u64::from(k), 0, k + 1), 1));
	}
	id
}

#[test]
fn an_overdue_interval_gets_a_provisional_substitute_that_a_reading_in_time_replaces() {
	run(|| {
		let id = steady_meter(4); // trend 400 Wh
							// START + 5 ended and its reading did not arrive in START + 6.
		at(START + 7);
		idle();
		let provisional = record(id, START + 5).unwrap();
		assert_eq!(
			(provisional.imported, provisional.quality),
			(Energy(400), Quality::Substituted)
		);
		assert_eq!(record(id, START + 6), None, "START + 6's reading is not overdue yet");
		assert_eq!(Consumption::final_energy(id, IntervalIndex(START + 5)), None);
		// The reading arrives within the lateness window: measured values replace it.
		assert_ok!(apply(reading(id, START + 6, 1_000 + 400 * 4 + 1_000, 0, 6), 1));
		for t in [START + 5, START + 6] {
			let r = record(id, t).unwrap();
			assert_eq!((r.imported, r.quality), (Energy(500), Quality::Interpolated));
		}
	});
}

#[test]
fn final_substitutes_keep_their_values_and_a_late_gap_reading_trues_them_up() {
	run(|| {
		let id = steady_meter(4);
		let registers_before = state(id).last.unwrap().imported.0;
		// The meter falls silent; the pass finalizes START + 5 and START + 6 with substitutes.
		at(START + 6 + LATENESS + 1);
		idle();
		assert_eq!(state(id).finalized, IntervalIndex(START + 6));
		assert_eq!(state(id).final_after_last, (Energy(800), Energy(0)));
		for t in [START + 5, START + 6] {
			let f = Consumption::final_energy(id, IntervalIndex(t)).unwrap();
			assert_eq!((f.imported, f.quality), (Energy(400), Quality::Substituted));
		}
		assert_eq!(Consumption::final_energy(id, IntervalIndex(START + 7)), None);
		// A reading at the latest interval still open: 2,000 Wh since START + 4, over ten
		// intervals the meter's estimates weigh alike (400 each). The two final ones get
		// 400 of it: their substitutes counted 400 too many, which the market trues up; the
		// eight open intervals share the other 1,600.
		let to = START + 6 + LATENESS;
		assert_ok!(apply(reading(id, to, registers_before + 2_000, 0, 6), 1));
		assert_eq!(record(id, START + 5).unwrap().imported, Energy(400));
		assert_eq!(record(id, START + 6).unwrap().imported, Energy(400));
		for t in START + 7..=to {
			assert_eq!(record(id, t).unwrap().imported, Energy(200));
		}
		let correction = Correction {
			from: IntervalIndex(START + 5),
			to: IntervalIndex(START + 6),
			counted: (Energy(800), Energy(0)),
			measured: (Energy(400), Energy(0)),
			anomaly: None,
		};
		assert_eq!(Corrections::get(), vec![(id, to, correction)]);
		System::assert_has_event(Event::IntervalsTruedUp { meter: id, correction }.into());
		// Records and the correction together hold what the registers measured, once.
		let (records, _) = sum(id, START + 5, to);
		assert_eq!(records - 800 + 400, 2_000, "no energy lost or counted twice");
		assert_eq!(state(id).final_after_last, (Energy(0), Energy(0)));
	});
}

#[test]
fn a_producer_silent_past_finalization_is_paid_its_export_through_the_true_up() {
	run(|| {
		// A meter exporting 300 Wh per interval.
		let id = meter_with_baseline();
		for k in 1..=4 {
			at(START + k + 1);
			assert_ok!(apply(reading(id, START + k, 1_000, 300 * u64::from(k), k + 1), 1));
		}
		at(START + 6 + LATENESS + 1);
		idle();
		// Two final substitutes count 600 Wh of export, which settlement never pays.
		assert_eq!(state(id).final_after_last, (Energy(0), Energy(600)));
		// The reading: 3,000 Wh over the ten intervals of the silence.
		let to = START + 6 + LATENESS;
		assert_ok!(apply(reading(id, to, 1_000, 1_200 + 3_000, 6), 1));
		let [(meter, at_interval, c)] = Corrections::get()[..] else { panic!("one true-up") };
		assert_eq!((meter, at_interval, c.counted), (id, to, (Energy(0), Energy(600))));
		// Split as the estimates weigh the intervals (alike): the final two get 600 Wh, to be
		// paid by the market; the eight open ones the other 2,400; nothing is counted twice.
		assert_eq!(c.measured, (Energy(0), Energy(600)));
		assert_eq!(sum(id, START + 7, to), (0, 2_400));
	});
}

#[test]
fn a_long_gap_is_spread_by_the_meter_s_profile() {
	run(|| {
		let id = meter_with_baseline();
		// The profile: twice as much in hour 2 as in hour 1 (quarter-hour intervals).
		let mut profile = [ProfileHour::default(); 24];
		profile[1] = ProfileHour { imported: Energy(100), exported: Energy(0), samples: 4 };
		profile[2] = ProfileHour { imported: Energy(200), exported: Energy(0), samples: 4 };
		Profiles::<Test>::insert(id, profile);
		// START = 100 is 01:00; ten intervals (2.5 h) later is 03:30 — beyond interpolation.
		let gap = 10;
		at(START + gap + 1);
		assert_ok!(apply(reading(id, START + gap, 1_000 + 1_100, 0, 2), 1));
		let e = |t: u32| record(id, START + t).unwrap().imported.0;
		// Weights: intervals 101–103 (hour 1) 100, 104–107 (hour 2) 200, 108–110 (hour 3, no
		// data) the meter's trend, which is still zero.
		assert_eq!((e(1), e(4), e(8)), (100, 200, 0));
		assert_eq!(sum(id, START + 1, START + gap), (1_100, 0));
		assert_eq!(record(id, START + 5).unwrap().quality, Quality::Substituted);
		System::assert_has_event(
			Event::GapFilled {
				meter: id,
				from: IntervalIndex(START),
				to: IntervalIndex(START + gap),
				quality: Quality::Substituted,
			}
			.into(),
		);
	});
}

#[test]
fn final_values_make_day_and_month_totals_and_teach_the_profile() {
	run(|| {
		// START + 1 to START + 4 measured at 400 Wh, then silence.
		let id = steady_meter(4);
		at(START + 5 + LATENESS + 1);
		idle();
		let day = DayIndex(1); // START = 100 quarter-hours: 1970-01-02 01:00.
		let totals = EnergyTotals {
			imported: Energy(2_000),
			exported: Energy(0),
			peak_import: Energy(400),
			peak_export: Energy(0),
			intervals: 5,
			estimated: 1,
		};
		assert_eq!(DayTotals::<Test>::get(id, 1), Some((day, totals)));
		assert_eq!(MonthTotals::<Test>::get(id, 0), Some((MonthIndex(0), totals)));
		let report = Consumption::meter_report(id, Period::Day(day)).unwrap();
		assert_eq!(report.imported, Energy(2_000));
		assert_eq!(report.peak_import_power.0, 1_600);
		assert_eq!(report.load_factor, sp_runtime::Permill::one());
		// Hour 1 learnt the three measured intervals in it (START + 1 to + 3), not the
		// substitute.
		assert_eq!(
			Profiles::<Test>::get(id)[1],
			ProfileHour { imported: Energy(400), exported: Energy(0), samples: 3 }
		);
		assert_eq!(Profiles::<Test>::get(id)[2].samples, 1);
		// The handler heard of each final value once, in order.
		let heard: Vec<_> = Finalized::get().iter().map(|(m, t, _)| (*m, *t)).collect();
		assert_eq!(heard, (START + 1..=START + 5).map(|t| (id, t)).collect::<Vec<_>>());
		idle();
		assert_eq!(Finalized::get().len(), 5, "the pass is done for this interval");
	});
}

#[test]
fn totals_roll_over_their_rings() {
	run(|| {
		let id = steady_meter(1);
		// A stale day in the slot the meter's day will use.
		let stale = EnergyTotals { imported: Energy(9_999), ..Default::default() };
		DayTotals::<Test>::insert(id, 1, (DayIndex(1 + DAYS_KEPT), stale));
		at(START + 2 + LATENESS + 1);
		idle();
		let (day, totals) = DayTotals::<Test>::get(id, 1).unwrap();
		assert_eq!((day, totals.imported), (DayIndex(1), Energy(800)));
		assert_eq!(Consumption::meter_report(id, Period::Day(DayIndex(1 + DAYS_KEPT))), None);
	});
}

#[test]
fn the_pass_visits_each_meter_once_per_interval_within_its_weight() {
	run(|| {
		let a = steady_meter(1);
		let b = install(BOB, 2);
		assert_ok!(Consumption::activate_meter(RuntimeOrigin::root(), b));
		at(START + 5);
		// Not enough weight for one visit: nothing happens.
		assert_eq!(Consumption::on_idle(1, Weight::zero()), Weight::zero());
		assert_eq!(FinalizePass::<Test>::get(), Pass::default());
		idle();
		let pass = FinalizePass::<Test>::get();
		assert_eq!((pass.interval, pass.done), (IntervalIndex(START + 5), true));
		assert!(record(a, START + 3).is_some(), "overdue START + 2 and + 3 substituted");
		// The pass is done for this interval; removing the substitute shows no second visit.
		History::<Test>::remove(a, (START + 3) % HISTORY);
		idle();
		assert_eq!(record(a, START + 3), None);
		// Next interval, next pass.
		at(START + 6);
		idle();
		assert!(record(a, START + 3).is_some());
		let _ = b;
	});
}

#[test]
fn an_interval_the_ring_lost_is_skipped_not_overwritten() {
	new_test_ext().execute_with(|| {
		let id = steady_meter(1);
		// A record of an interval a whole ring later sits in START + 2's slot.
		let later = IntervalRecord {
			interval: IntervalIndex(START + 2 + HISTORY),
			imported: Energy(1),
			exported: Energy(0),
			quality: Quality::Substituted,
			anomaly: None,
		};
		History::<Test>::insert(id, (START + 2) % HISTORY, later);
		at(START + 3 + LATENESS + 1);
		idle();
		assert_eq!(state(id).finalized, IntervalIndex(START + 3));
		assert_eq!(History::<Test>::get(id, (START + 2) % HISTORY), Some(later));
	});
}

#[test]
fn a_pass_the_idle_weight_cannot_finish_goes_on_where_it_stopped() {
	run(|| {
		// Seven meters with readings; the idle weight of a block covers two visits.
		let meters: Vec<MeterId> = (0..7u8)
			.map(|n| {
				let owner = 200 + u64::from(n);
				Balances::set_balance(&owner, 1_000);
				let id = install(owner, 10 + n);
				assert_ok!(Consumption::activate_meter(RuntimeOrigin::root(), id));
				at(START + 1);
				assert_ok!(apply(reading(id, START, 1_000, 0, 1), 10 + n));
				id
			})
			.collect();
		let db: frame_support::weights::RuntimeDbWeight =
			<Test as frame_system::Config>::DbWeight::get();
		let work = Consumption::max_visit_work();
		let two = Consumption::visit_weight(work, work)
			.saturating_add(db.reads(1))
			.saturating_mul(2)
			.saturating_add(db.reads_writes(4, 1));
		// Every interval, one block with room for two visits: all seven meters are visited
		// in turn (the last ones included), and each meter's intervals turn final.
		let last = START + 5 * LATENESS;
		for interval in START + 2..=last {
			at(interval);
			Consumption::on_idle(1, two);
		}
		let final_by = IntervalIndex(last - LATENESS - 1);
		for id in &meters {
			// Four intervals for a round of seven meters: at most that far behind.
			assert!(
				state(*id).finalized.0 + 4 >= final_by.0,
				"meter {id:?} finalized to {:?}, not near {final_by:?}",
				state(*id).finalized
			);
		}
		// A pass with room for all finishes, visiting each meter once.
		at(last + 1);
		idle();
		assert!(FinalizePass::<Test>::get().done);
		assert_eq!(FinalizePass::<Test>::get().visited, 7);
	});
}

#[test]
fn a_meter_silent_for_too_long_is_suspended_and_the_operators_are_told() {
	run(|| {
		let id = steady_meter(2);
		let last = START + 2;
		// Substitutes fill the silence up to the limit; the meter stays active.
		at(last + SILENCE);
		idle();
		assert_eq!(
			Meters::<Test>::get(id).unwrap().status,
			daeg_primitives::consumption::MeterStatus::Active
		);
		// One interval more: suspended, with an event.
		at(last + SILENCE + 1);
		idle();
		assert_eq!(
			Meters::<Test>::get(id).unwrap().status,
			daeg_primitives::consumption::MeterStatus::Suspended
		);
		System::assert_has_event(
			Event::MeterSuspendedForSilence { meter: id, last_reading: IntervalIndex(last) }.into(),
		);
	});
}
