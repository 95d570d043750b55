//! Device-signed readings: pool validation (one code per cause), recording, gaps, anomalies.

use super::install;
use crate::{
	mock::*, Anomaly, Call, Error, Event, History, IntervalRecord, LastReading, Meters,
	ReadingState,
};
use daeg_primitives::{
	consumption::{DispatchedEnergy, MeterStatus, Quality, Reading, ReadingError},
	Energy, IntervalIndex, MeterId, Power,
};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::{GetDispatchInfo, PostDispatchInfo},
	pallet_prelude::{Authorize, TransactionSource, TransactionValidityError, ValidTransaction},
	traits::UnfilteredDispatchable,
};
use sp_runtime::{DispatchError, DispatchErrorWithPostInfo};

/// The interval the tests' readings start at.
pub(super) const START: u32 = 100;

/// Puts grid time just inside `interval`.
pub(super) fn at(interval: u32) {
	NowMs::set(u64::from(interval) * INTERVAL_MS + 1);
}

/// Alice's active meter with device key 1 and a 10 kW connection (2.5 kWh per interval).
pub(super) fn active_meter() -> MeterId {
	let id = install(ALICE, 1);
	Meters::<Test>::mutate(id, |m| m.as_mut().unwrap().max_power = daeg_primitives::Power(10_000));
	assert_ok!(Consumption::activate_meter(RuntimeOrigin::root(), id));
	id
}

/// A reading of `meter` at the end of `interval`, taken a second into the next interval.
pub(super) fn reading(
	meter: MeterId,
	interval: u32,
	imported: u64,
	exported: u64,
	counter: u32,
) -> Reading {
	Reading {
		meter,
		interval: IntervalIndex(interval),
		imported: Energy(imported),
		exported: Energy(exported),
		measured_at: u64::from(interval + 1) * INTERVAL_MS + 1_000,
		counter,
	}
}

pub(super) fn call(r: Reading, key_n: u8) -> Call<Test> {
	Call::submit_reading { reading: r, signature: sign(key_n, &r) }
}

/// What the transaction pool says of `r` signed by key `key_n`.
pub(super) fn validate(
	r: Reading,
	key_n: u8,
) -> Result<ValidTransaction, TransactionValidityError> {
	call(r, key_n)
		.authorize(TransactionSource::External)
		.expect("submit_reading is authorizable")
		.map(|(v, _)| v)
}

/// The origin an authorized reading is dispatched with.
pub(super) fn authorized() -> RuntimeOrigin {
	frame_system::Origin::<Test>::Authorized.into()
}

pub(super) fn refused(code: ReadingError) -> Result<ValidTransaction, TransactionValidityError> {
	Err(code.into())
}

/// Applies `r` as a block would: authorize in the block, then dispatch as `Authorized`.
pub(super) fn apply(
	r: Reading,
	key_n: u8,
) -> Result<PostDispatchInfo, DispatchErrorWithPostInfo<PostDispatchInfo>> {
	let c = call(r, key_n);
	c.authorize(TransactionSource::InBlock)
		.expect("authorizable")
		.map_err(|_| DispatchError::Other("refused in block"))?;
	c.dispatch_bypass_filter(authorized())
}

/// Alice's active meter with its baseline read at `START` (import 1,000 Wh, export 0), grid
/// time in the interval after.
pub(super) fn meter_with_baseline() -> MeterId {
	let id = active_meter();
	at(START + 1);
	assert_ok!(apply(reading(id, START, 1_000, 0, 1), 1));
	id
}

pub(super) fn record(meter: MeterId, interval: u32) -> Option<IntervalRecord> {
	Consumption::record(meter, IntervalIndex(interval))
}

pub(super) fn state(meter: MeterId) -> ReadingState {
	Meters::<Test>::get(meter).unwrap().readings
}

#[test]
fn the_first_reading_sets_the_baseline() {
	run(|| {
		let id = active_meter();
		at(START + 1);
		assert_ok!(apply(reading(id, START, 1_000, 20, 1), 1));
		System::assert_last_event(
			Event::MeterBaseline { meter: id, interval: IntervalIndex(START) }.into(),
		);
		let s = state(id);
		assert_eq!(s.counter, 1);
		assert_eq!(
			s.last,
			Some(LastReading {
				interval: IntervalIndex(START),
				imported: Energy(1_000),
				exported: Energy(20)
			})
		);
		assert_eq!(record(id, START), None);
	});
}

#[test]
fn a_consecutive_reading_records_the_measured_energy() {
	run(|| {
		let id = meter_with_baseline();
		at(START + 2);
		let post = apply(reading(id, START + 1, 1_700, 5, 2), 1).unwrap();
		let expected = IntervalRecord {
			interval: IntervalIndex(START + 1),
			imported: Energy(700),
			exported: Energy(5),
			quality: Quality::Measured,
			anomaly: None,
		};
		assert_eq!(record(id, START + 1), Some(expected));
		System::assert_last_event(
			Event::IntervalRecorded {
				meter: id,
				interval: IntervalIndex(START + 1),
				imported: Energy(700),
				exported: Energy(5),
				quality: Quality::Measured,
			}
			.into(),
		);
		assert_eq!(state(id).counter, 2);
		assert_eq!(state(id).import_trend, Energy(700));
		// One record written: the weight is refunded to that (and a look at the dispatch
		// schedule, which a would-be jump takes).
		use crate::WeightInfo;
		let schedule = <TestDispatch as DispatchedEnergy>::weight();
		assert_eq!(post.actual_weight, Some(<() as WeightInfo>::submit_reading(1) + schedule));
		let max = call(reading(id, START + 2, 1_800, 5, 3), 1).get_dispatch_info().call_weight;
		// A gap's open intervals (the lateness window and two), and the true-up of the final
		// substitutes before them.
		assert_eq!(Consumption::max_spread(), LATENESS + 2);
		let true_up = <RecordFinal as daeg_primitives::consumption::OnFinalInterval>::weight();
		assert_eq!(max, <() as WeightInfo>::submit_reading(LATENESS + 2) + schedule + true_up);
	});
}

#[test]
fn the_pool_keeps_one_reading_per_meter_and_interval_in_counter_order() {
	run(|| {
		let id = meter_with_baseline();
		at(START + 3);
		let next = validate(reading(id, START + 1, 1_100, 0, 2), 1).unwrap();
		assert!(next.requires.is_empty());
		// Another reading of the same interval provides the same interval tag: the pool keeps
		// one of them.
		let twin = validate(reading(id, START + 1, 1_200, 0, 2), 1).unwrap();
		assert_eq!(next.provides, twin.provides);
		assert_eq!(next.priority, 1_000);
		assert_eq!(next.longevity, 64);
		// A reading ahead of the chain's counter waits for its predecessor's tag.
		let ahead = validate(reading(id, START + 2, 1_300, 0, 3), 1).unwrap();
		assert_eq!(ahead.requires.len(), 1);
		assert!(next.provides.contains(&ahead.requires[0]));
		// In a block, the predecessor must already be there.
		assert_eq!(
			call(reading(id, START + 2, 1_300, 0, 3), 1)
				.authorize(TransactionSource::InBlock)
				.unwrap()
				.map(|_| ()),
			Err(ReadingError::CounterGap.into())
		);
		assert_ok!(apply(reading(id, START + 1, 1_100, 0, 2), 1));
		assert_ok!(apply(reading(id, START + 2, 1_300, 0, 3), 1));
		assert_eq!(record(id, START + 2).unwrap().imported, Energy(200));
	});
}

#[test]
fn the_pool_refuses_each_bad_reading_with_its_own_code() {
	run(|| {
		let id = meter_with_baseline();
		let good = reading(id, START + 1, 1_500, 0, 2);
		at(START + 2);
		assert_ok!(validate(good, 1));

		assert_eq!(
			validate(reading(MeterId(9), START + 1, 1, 0, 2), 1),
			refused(ReadingError::UnknownMeter)
		);
		// Forged: signed by another key, or altered after signing.
		assert_eq!(validate(good, 2), refused(ReadingError::BadSignature));
		let forged = Call::<Test>::submit_reading {
			reading: Reading { imported: Energy(1_400), ..good },
			signature: sign(1, &good),
		};
		assert_eq!(
			forged.authorize(TransactionSource::External).unwrap().map(|(v, _)| v),
			refused(ReadingError::BadSignature)
		);
		// The interval has not ended, or is past the lateness window.
		assert_eq!(
			validate(reading(id, START + 2, 1_500, 0, 2), 1),
			refused(ReadingError::FutureInterval)
		);
		at(START + 1 + LATENESS + 1);
		assert_eq!(validate(good, 1), refused(ReadingError::LateReading));
		at(START + 1 + LATENESS);
		assert_ok!(validate(good, 1));
		// Read before the interval ended, or more than an interval after.
		let early = Reading { measured_at: u64::from(START + 2) * INTERVAL_MS - 1, ..good };
		assert_eq!(validate(early, 1), refused(ReadingError::BadMeasurementTime));
		let stale = Reading { measured_at: u64::from(START + 3) * INTERVAL_MS, ..good };
		assert_eq!(validate(stale, 1), refused(ReadingError::BadMeasurementTime));
		// A replay of the baseline, a counter at or below the chain's.
		at(START + 2);
		assert_eq!(validate(reading(id, START, 1_000, 0, 1), 1), refused(ReadingError::Replay));
		assert_eq!(validate(reading(id, START + 1, 1_500, 0, 1), 1), refused(ReadingError::Replay));
		// The next counter, but not a later interval.
		assert_eq!(validate(reading(id, START, 1_500, 0, 2), 1), refused(ReadingError::OutOfOrder));
		// A register going down.
		assert_eq!(
			validate(reading(id, START + 1, 999, 0, 2), 1),
			refused(ReadingError::RegisterDecreased)
		);

		// An inactive meter: installed only, or suspended.
		assert_ok!(Consumption::suspend_meter(RuntimeOrigin::root(), id));
		assert_eq!(validate(good, 1), refused(ReadingError::InactiveMeter));
		let fresh = install(BOB, 3);
		assert_eq!(
			validate(reading(fresh, START + 1, 1, 0, 1), 3),
			refused(ReadingError::InactiveMeter)
		);
	});
}

#[test]
fn dispatch_refuses_what_the_pool_would_and_any_other_origin() {
	run(|| {
		let id = meter_with_baseline();
		at(START + 2);
		let replay = reading(id, START, 1_000, 0, 1);
		let authorized = || frame_system::Origin::<Test>::Authorized.into();
		assert_noop!(call(replay, 1).dispatch_bypass_filter(authorized()), Error::<Test>::Replay);
		assert_noop!(
			call(reading(id, START + 1, 900, 0, 2), 1).dispatch_bypass_filter(authorized()),
			Error::<Test>::RegisterDecreased
		);
		let good = reading(id, START + 1, 1_500, 0, 2);
		assert_noop!(
			Consumption::submit_reading(RuntimeOrigin::signed(ALICE), good, sign(1, &good)),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Consumption::submit_reading(RuntimeOrigin::none(), good, sign(1, &good)),
			DispatchError::BadOrigin
		);
		// Every reading error has its dispatch error.
		for e in ReadingError::ALL {
			assert_ne!(format!("{:?}", Error::<Test>::from(e)), "");
		}
	});
}

#[test]
fn a_reading_signed_for_another_chain_is_refused() {
	run(|| {
		let id = meter_with_baseline();
		at(START + 2);
		let r = reading(id, START + 1, 1_500, 0, 2);
		let other_chain = r.signing_payload(&[7u8; 32]);
		use sp_core::Pair;
		let signature =
			daeg_primitives::consumption::MeterSignature::from(device(1).sign(&other_chain));
		let c = Call::<Test>::submit_reading { reading: r, signature };
		assert_eq!(
			c.authorize(TransactionSource::External).unwrap().map(|(v, _)| v),
			refused(ReadingError::BadSignature)
		);
	});
}

#[test]
fn a_short_gap_is_interpolated_evenly() {
	run(|| {
		let id = meter_with_baseline();
		at(START + 5);
		// Four intervals since the baseline, 1,003 Wh: 250 each, the last takes the remainder.
		assert_ok!(apply(reading(id, START + 4, 2_003, 8, 2), 1));
		for (i, (imp, exp)) in [(250, 2), (250, 2), (250, 2), (253, 2)].into_iter().enumerate() {
			let r = record(id, START + 1 + i as u32).unwrap();
			assert_eq!((r.imported, r.exported), (Energy(imp), Energy(exp)));
			assert_eq!(r.quality, Quality::Interpolated);
		}
		System::assert_has_event(
			Event::GapFilled {
				meter: id,
				from: IntervalIndex(START),
				to: IntervalIndex(START + 4),
				quality: Quality::Interpolated,
			}
			.into(),
		);
	});
}

#[test]
fn energy_beyond_the_connection_is_refused_in_the_pool_and_in_a_block() {
	run(|| {
		let id = meter_with_baseline();
		at(START + 2);
		// 10 kW for a quarter-hour is 2,500 Wh; 2,501 cannot have passed the connection.
		let over = reading(id, START + 1, 3_501, 0, 2);
		assert_eq!(validate(over, 1), refused(ReadingError::OverCapacity));
		assert_noop!(
			call(over, 1).dispatch_bypass_filter(authorized()),
			Error::<Test>::OverCapacity
		);
		let forged = reading(id, START + 1, 1_000, u64::MAX, 2);
		assert_eq!(validate(forged, 1), refused(ReadingError::OverCapacity));
		// After a gap the connection carried more: three intervals, 7,500 Wh.
		at(START + 4);
		assert_eq!(
			validate(reading(id, START + 3, 8_501, 0, 2), 1),
			refused(ReadingError::OverCapacity)
		);
		assert_ok!(apply(reading(id, START + 3, 8_500, 0, 2), 1));
		assert_eq!(state(id).strikes, 0);
	});
}

#[test]
fn a_consumer_s_meter_reports_no_export() {
	run(|| {
		let id = active_meter();
		Meters::<Test>::mutate(id, |m| {
			m.as_mut().unwrap().kind = daeg_primitives::consumption::MeterKind::Consumption
		});
		at(START + 1);
		// Whatever its export register says at the baseline, it may never rise.
		assert_ok!(apply(reading(id, START, 1_000, 7, 1), 1));
		at(START + 2);
		let exporting = reading(id, START + 1, 1_100, 8, 2);
		assert_eq!(validate(exporting, 1), refused(ReadingError::ExportOnImportMeter));
		assert_noop!(
			call(exporting, 1).dispatch_bypass_filter(authorized()),
			Error::<Test>::ExportOnImportMeter
		);
		assert_ok!(apply(reading(id, START + 1, 1_100, 7, 2), 1));
	});
}

#[test]
fn a_jump_far_above_the_trend_is_flagged() {
	run(|| {
		let id = meter_with_baseline();
		at(START + 2);
		assert_ok!(apply(reading(id, START + 1, 1_100, 0, 2), 1)); // trend 100 Wh
		at(START + 3);
		// 1,300 Wh: more than 10 × the trend and more than half the capacity (1,250).
		assert_ok!(apply(reading(id, START + 2, 2_400, 0, 3), 1));
		assert_eq!(record(id, START + 2).unwrap().anomaly, Some(Anomaly::Jump));
		// A jump still teaches the trend (a new appliance is real): 100 − 12 + 162.
		assert_eq!(state(id).import_trend, Energy(250));
		// 900 Wh after a 100 Wh trend: a big step, but below half the capacity.
		let id2 = install(BOB, 2);
		assert_ok!(Consumption::activate_meter(RuntimeOrigin::root(), id2));
		at(START + 1);
		assert_ok!(apply(reading(id2, START, 0, 0, 1), 2));
		at(START + 2);
		assert_ok!(apply(reading(id2, START + 1, 100, 0, 2), 2));
		at(START + 3);
		assert_ok!(apply(reading(id2, START + 2, 1_000, 0, 3), 2));
		assert_eq!(record(id2, START + 2).unwrap().anomaly, None);
	});
}

#[test]
fn a_step_to_what_the_grid_dispatched_is_not_a_jump() {
	run(|| {
		let id = meter_with_baseline();
		let id2 = install(BOB, 2);
		Meters::<Test>::mutate(id2, |m| m.as_mut().unwrap().max_power = Power(10_000));
		assert_ok!(Consumption::activate_meter(RuntimeOrigin::root(), id2));
		assert_ok!(apply(reading(id2, START, 1_000, 0, 1), 2));
		at(START + 2);
		// Both trends 100 Wh.
		assert_ok!(apply(reading(id, START + 1, 1_100, 0, 2), 1));
		assert_ok!(apply(reading(id2, START + 1, 1_100, 0, 2), 2));
		// In the next interval the first unit was dispatched to draw 1,500 Wh, the second to
		// feed in 1,500 Wh.
		Dispatch::set(vec![(id, START + 2, (1_500, 0)), (id2, START + 2, (0, 1_500))]);
		at(START + 3);
		// Both draw 1,400 Wh: the first as dispatched; the second against its schedule.
		assert_ok!(apply(reading(id, START + 2, 2_500, 0, 3), 1));
		assert_ok!(apply(reading(id2, START + 2, 2_500, 0, 3), 2));
		assert_eq!(record(id, START + 2).unwrap().anomaly, None);
		assert_eq!(state(id).strikes, 0);
		assert_eq!(record(id2, START + 2).unwrap().anomaly, Some(Anomaly::Jump));
		assert_eq!(state(id2).strikes, 1);
		// Following the schedule still teaches the trend: 100 − 12 + 175.
		assert_eq!(state(id).import_trend, Energy(263));
	});
}

#[test]
fn repeated_anomalies_suspend_the_meter_until_it_is_activated_again() {
	run(|| {
		let id = meter_with_baseline();
		// A meter on its last strike but one (a jump factor of 10 and the half-capacity floor
		// make more than two jumps in a row impossible within the connection).
		at(START + 2);
		assert_ok!(apply(reading(id, START + 1, 1_100, 0, 2), 1));
		Meters::<Test>::mutate(id, |m| m.as_mut().unwrap().readings.strikes = STRIKES - 1);
		at(START + 3);
		let mut imported = 1_100 + 2_000;
		assert_ok!(apply(reading(id, START + 2, imported, 0, 3), 1));
		assert_eq!(Meters::<Test>::get(id).unwrap().status, MeterStatus::Suspended);
		System::assert_last_event(Event::MeterSuspendedForAnomalies { meter: id }.into());
		at(START + 5);
		imported += 10;
		assert_eq!(
			validate(reading(id, START + 4, imported, 0, 4), 1),
			refused(ReadingError::InactiveMeter)
		);
		assert_ok!(Consumption::activate_meter(RuntimeOrigin::root(), id));
		assert_eq!(state(id).strikes, 0);
		assert_ok!(apply(reading(id, START + 4, imported, 0, 4), 1));
	});
}

#[test]
fn removing_a_meter_removes_its_history() {
	run(|| {
		let id = meter_with_baseline();
		at(START + 3);
		assert_ok!(apply(reading(id, START + 2, 1_500, 0, 2), 1));
		assert_eq!(History::<Test>::iter_prefix(id).count(), 2);
		// Once its intervals are final (and settled), the meter may go, history and all.
		at(START + 3 + LATENESS);
		<Consumption as frame_support::traits::Hooks<u64>>::on_idle(
			1,
			frame_support::weights::Weight::MAX,
		);
		assert!(History::<Test>::iter_prefix(id).count() > 2);
		assert_ok!(Consumption::remove_meter(RuntimeOrigin::signed(ALICE), id));
		assert_eq!(History::<Test>::iter_prefix(id).count(), 0);
	});
}

#[test]
fn the_history_is_a_ring() {
	run(|| {
		let id = meter_with_baseline();
		let mut counter = 1;
		for i in 1..=HISTORY + 2 {
			at(START + i + 1);
			counter += 1;
			assert_ok!(apply(reading(id, START + i, 1_000 + u64::from(i), 0, counter), 1));
		}
		assert_eq!(History::<Test>::iter_prefix(id).count() as u32, HISTORY);
		assert_eq!(record(id, START + 1), None);
		assert_eq!(record(id, START + HISTORY + 2).unwrap().imported, Energy(1));
	});
}

#[test]
fn try_state_catches_broken_readings() {
	new_test_ext().execute_with(|| {
		let id = meter_with_baseline();
		at(START + 2);
		assert_ok!(apply(reading(id, START + 1, 1_500, 0, 2), 1));
		assert_ok!(Consumption::do_try_state());
		// A record in the wrong slot.
		let r = record(id, START + 1).unwrap();
		History::<Test>::insert(id, (START + 2) % HISTORY, r);
		assert!(Consumption::do_try_state().is_err());
		History::<Test>::remove(id, (START + 2) % HISTORY);
		// A measured record after the last reading.
		let later = IntervalRecord { interval: IntervalIndex(START + 5), ..r };
		History::<Test>::insert(id, (START + 5) % HISTORY, later);
		assert!(Consumption::do_try_state().is_err());
	});
}

/// A batch of `(reading, key number)`.
fn batch(readings: &[(Reading, u8)]) -> crate::ReadingBatchOf<Test> {
	readings.iter().map(|(r, k)| (*r, sign(*k, r))).collect::<Vec<_>>().try_into().unwrap()
}

fn validate_batch(
	readings: &[(Reading, u8)],
) -> Result<ValidTransaction, TransactionValidityError> {
	Call::<Test>::submit_readings { readings: batch(readings) }
		.authorize(TransactionSource::External)
		.expect("submit_readings is authorizable")
		.map(|(v, _)| v)
}

/// Alice's meter (key 1) and Bob's (key 2), both with baselines at `START`.
fn two_meters_with_baselines() -> (MeterId, MeterId) {
	let a = meter_with_baseline();
	let b = install(BOB, 2);
	assert_ok!(Consumption::activate_meter(RuntimeOrigin::root(), b));
	assert_ok!(apply(reading(b, START, 0, 0, 1), 2));
	(a, b)
}

#[test]
fn a_batch_records_one_reading_per_meter() {
	run(|| {
		let (a, b) = two_meters_with_baselines();
		at(START + 2);
		let readings =
			[(reading(a, START + 1, 1_400, 0, 2), 1), (reading(b, START + 1, 0, 70, 2), 2)];
		let validity = validate_batch(&readings).unwrap();
		// Both readings' tags, as if each had come alone.
		for (r, k) in readings {
			assert!(validate(r, k).unwrap().provides.iter().all(|t| validity.provides.contains(t)));
		}
		let c = Call::<Test>::submit_readings { readings: batch(&readings) };
		assert_ok!(c.authorize(TransactionSource::InBlock).unwrap());
		assert_ok!(c.dispatch_bypass_filter(authorized()));
		assert_eq!(record(a, START + 1).unwrap().imported, Energy(400));
		assert_eq!(record(b, START + 1).unwrap().exported, Energy(70));
		assert_eq!(state(a).counter, 2);
		assert_eq!(state(b).counter, 2);
	});
}

#[test]
fn a_batch_is_refused_whole_with_the_first_failing_reading_s_code() {
	run(|| {
		let (a, b) = two_meters_with_baselines();
		at(START + 3);
		let good_a = (reading(a, START + 1, 1_400, 0, 2), 1);
		let good_b = (reading(b, START + 1, 0, 70, 2), 2);
		assert_eq!(validate_batch(&[]), refused(ReadingError::EmptyBatch));
		// A forged reading spoils the batch.
		assert_eq!(validate_batch(&[good_a, (good_b.0, 1)]), refused(ReadingError::BadSignature));
		// Two readings of one meter.
		let twin_a = (reading(a, START + 1, 1_450, 0, 2), 1);
		assert_eq!(validate_batch(&[good_a, twin_a]), refused(ReadingError::DuplicateInBatch));
		// A reading after a gap goes alone.
		let gap_b = (reading(b, START + 2, 0, 70, 2), 2);
		assert_eq!(validate_batch(&[good_a, gap_b]), refused(ReadingError::GapInBatch));
		assert_ok!(validate(gap_b.0, 2));
		// Dispatch refuses it too, and only for the authorized origin.
		let authorized = || frame_system::Origin::<Test>::Authorized.into();
		assert_noop!(
			Call::<Test>::submit_readings { readings: batch(&[good_a, gap_b]) }
				.dispatch_bypass_filter(authorized()),
			Error::<Test>::GapInBatch
		);
		assert_noop!(
			Consumption::submit_readings(RuntimeOrigin::signed(ALICE), batch(&[good_a])),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn a_meter_exchange_unbricks_the_meter_and_counts_every_watt_hour_once() {
	run(|| {
		// The meter's register sits just below its rollover.
		let id = active_meter();
		let top = u64::MAX - 10_000;
		at(START + 1);
		assert_ok!(apply(reading(id, START, top, 0, 1), 1));
		// It rolls over: every genuine reading is now refused, whatever comes.
		at(START + 3);
		assert_eq!(
			validate(reading(id, START + 2, 40, 0, 2), 1),
			refused(ReadingError::RegisterDecreased)
		);
		let exchange = |who: u64, old: (u64, u64), new: (u64, u64)| {
			Consumption::record_exchange(
				RuntimeOrigin::signed(who),
				id,
				(Energy(old.0), Energy(old.1)),
				(Energy(new.0), Energy(new.1)),
			)
		};
		assert_noop!(exchange(ALICE, (top + 60, 0), (0, 0)), DispatchError::BadOrigin);
		assert_noop!(exchange(OPERATOR, (top - 1, 0), (0, 0)), Error::<Test>::RegisterDecreased);
		// Two intervals carry 5,000 Wh at most.
		assert_noop!(exchange(OPERATOR, (top + 5_001, 0), (0, 0)), Error::<Test>::OverCapacity);
		assert_noop!(
			Consumption::record_exchange(
				RuntimeOrigin::root(),
				MeterId(99),
				(Energy(0), Energy(0)),
				(Energy(0), Energy(0))
			),
			Error::<Test>::UnknownMeter
		);
		// The operators record the old register's last value (60 Wh on) and the new baseline.
		assert_ok!(exchange(OPERATOR, (top + 60, 0), (0, 0)));
		System::assert_has_event(
			Event::MeterExchanged {
				meter: id,
				old_final: (Energy(top + 60), Energy(0)),
				new_baseline: (Energy(0), Energy(0)),
			}
			.into(),
		);
		// The 60 Wh are the two intervals' since the last reading; the meter reads on.
		let (a, b) = (record(id, START + 1).unwrap(), record(id, START + 2).unwrap());
		assert_eq!(a.imported.0 + b.imported.0, 60);
		at(START + 4);
		assert_ok!(apply(reading(id, START + 3, 40, 0, state(id).counter + 1), 1));
		assert_eq!(record(id, START + 3).unwrap().imported, Energy(40));
	});
	run(|| {
		// A certifier does not exchange its own meter's registers; a meter without a reading
		// has none to exchange.
		assert_ok!(<Balances as frame_support::traits::fungible::Mutate<u64>>::mint_into(
			&CERTIFIER, 1_000
		));
		let own = super::install(CERTIFIER, 3);
		assert_ok!(Consumption::activate_meter(RuntimeOrigin::root(), own));
		let zero = (Energy(0), Energy(0));
		assert_noop!(
			Consumption::record_exchange(RuntimeOrigin::signed(CERTIFIER), own, zero, zero),
			Error::<Test>::OwnMeter
		);
		assert_noop!(
			Consumption::record_exchange(RuntimeOrigin::root(), own, zero, zero),
			Error::<Test>::NoReading
		);
	});
}
