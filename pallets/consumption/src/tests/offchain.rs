//! The offchain worker's relay: what it fetches from the oracle, signs, submits and reports.

use super::install;
use crate::{
	mock::*,
	offchain::{RelayError, Relayed, RESEND_AFTER_BLOCKS},
	Call, Meters,
};
use codec::{Decode, Encode};
use daeg_primitives::{
	consumption::{oracle_api, IntervalRegisters, Quality, Reading, METER_KEY_TYPE},
	Energy, IntervalIndex, MeterId,
};
use frame_support::{
	assert_ok,
	pallet_prelude::{Authorize, TransactionSource},
	traits::UnfilteredDispatchable,
};
use parking_lot::RwLock;
use sp_core::offchain::testing::OffchainState;
use sp_core::offchain::{
	testing::{PendingRequest, PoolState, TestOffchainExt, TestTransactionPoolExt},
	OffchainDbExt, OffchainWorkerExt, StorageKind, TransactionPoolExt,
};
use std::sync::Arc;

const URL: &str = "http://127.0.0.1:9955";
const START: u32 = 100;

/// A chain with an offchain worker's extensions; the oracle's URL is set when `url`.
/// The test externalities with the worker's offchain state and transaction pool.
type RelayExt = (sp_io::TestExternalities, Arc<RwLock<OffchainState>>, Arc<RwLock<PoolState>>);

fn relay_ext(url: bool) -> RelayExt {
	let mut ext = new_test_ext();
	let (offchain, state) = TestOffchainExt::new();
	let (pool, pool_state) = TestTransactionPoolExt::new();
	ext.register_extension(OffchainWorkerExt::new(offchain.clone()));
	ext.register_extension(OffchainDbExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	if url {
		ext.execute_with(|| {
			let value = URL.as_bytes().to_vec().encode();
			sp_io::offchain::local_storage_set(
				StorageKind::PERSISTENT,
				oracle_api::URL_KEY,
				&value,
			);
		});
	}
	(ext, state, pool_state)
}

/// Puts device key `n` into the node's keystore.
fn keystore_holds(n: u8) {
	let seed = format!("0x{}", sp_core::hexdisplay::HexDisplay::from(&[n; 32]));
	let public = sp_io::crypto::sr25519_generate(METER_KEY_TYPE, Some(seed.into_bytes()));
	assert_eq!(public, sp_core::Pair::public(&device(n)));
}

fn registers(meter: MeterId, interval: u32, imported: u64) -> IntervalRegisters {
	IntervalRegisters {
		meter,
		interval: IntervalIndex(interval),
		imported: Energy(imported),
		exported: Energy(0),
		measured_at: u64::from(interval + 1) * INTERVAL_MS + 1_000,
	}
}

/// The oracle answers the worker's next `GET /readings` with `body`.
fn oracle_answers(state: &RwLock<OffchainState>, body: Vec<u8>) {
	state.write().expect_request(PendingRequest {
		method: "GET".into(),
		uri: format!("{URL}{}", oracle_api::READINGS_PATH),
		response: Some(body),
		sent: true,
		..Default::default()
	});
}

fn expect_get(state: &RwLock<OffchainState>, queued: &[IntervalRegisters]) {
	oracle_answers(state, queued.to_vec().encode());
}

fn expect_report(state: &RwLock<OffchainState>, held: &[(MeterId, IntervalIndex)]) {
	state.write().expect_request(PendingRequest {
		method: "POST".into(),
		uri: format!("{URL}{}", oracle_api::DELIVERED_PATH),
		body: held.to_vec().encode(),
		response: Some(b"1".to_vec()),
		sent: true,
		..Default::default()
	});
}

/// The calls the worker put into the pool, in order.
fn submitted(pool: &RwLock<PoolState>) -> Vec<Call<Test>> {
	core::mem::take(&mut pool.write().transactions)
		.into_iter()
		.map(|tx| match Extrinsic::decode(&mut &tx[..]).unwrap().function {
			RuntimeCall::Consumption(call) => call,
			other => panic!("unexpected call {other:?}"),
		})
		.collect()
}

fn readings_of(call: &Call<Test>) -> Vec<Reading> {
	match call {
		Call::submit_readings { readings } => readings.iter().map(|(r, _)| *r).collect(),
		Call::submit_reading { reading, .. } => vec![*reading],
		other => panic!("unexpected call {other:?}"),
	}
}

/// Applies `call` as a block would.
fn apply(call: Call<Test>) {
	assert_ok!(call.authorize(TransactionSource::InBlock).expect("authorizable"));
	assert_ok!(call.dispatch_bypass_filter(frame_system::Origin::<Test>::Authorized.into()));
}

fn active(n: u8) -> MeterId {
	let id = install(ALICE, n);
	assert_ok!(Consumption::activate_meter(RuntimeOrigin::root(), id));
	id
}

#[test]
fn relays_what_the_chain_lacks_signed_and_numbered_from_the_chain() {
	let (mut ext, state, pool) = relay_ext(true);
	ext.execute_with(|| {
		let (a, b, c) = (active(1), active(2), active(3));
		keystore_holds(1);
		keystore_holds(2); // not 3: another node relays meter c
					 // Meter a's baseline is on chain already (counter 1).
		NowMs::set(u64::from(START + 1) * INTERVAL_MS + 1);
		let baseline = registers(a, START, 1_000).with_counter(1);
		apply(Call::submit_reading { reading: baseline, signature: sign(1, &baseline) });

		NowMs::set(u64::from(START + 3) * INTERVAL_MS + 1);
		let queued = [
			registers(a, START, 1_000),     // on chain: skipped
			registers(a, START + 1, 1_100), // a's next: batched, counter 2
			registers(b, START + 1, 50),    // b's first: batched, counter 1
			registers(c, START + 1, 70),    // no key here: skipped
			registers(a, START + 2, 1_250), // after a's next: alone, counter 3
			registers(a, START + 3, 1_300), // the current interval: not yet
		];
		expect_get(&state, &queued);
		expect_report(&state, &[(a, IntervalIndex(START))]);
		assert_eq!(
			Consumption::relay_readings(1),
			Ok(Relayed { batched: 2, single: 1, reported: 1 })
		);

		let calls = submitted(&pool);
		assert_eq!(calls.len(), 2);
		assert!(matches!(calls[0], Call::submit_readings { .. }));
		assert_eq!(
			readings_of(&calls[0]),
			vec![
				registers(a, START + 1, 1_100).with_counter(2),
				registers(b, START + 1, 50).with_counter(1)
			]
		);
		assert_eq!(readings_of(&calls[1]), vec![registers(a, START + 2, 1_250).with_counter(3)]);
		// The pool accepts both (the second waits for the first), and the chain records them.
		for call in &calls {
			assert_ok!(call.authorize(TransactionSource::External).expect("authorizable"));
		}
		calls.into_iter().for_each(apply);
		let record =
			|m, i| Consumption::record(m, IntervalIndex(i)).map(|r| (r.imported.0, r.quality));
		assert_eq!(record(a, START + 1), Some((100, Quality::Measured)));
		assert_eq!(record(a, START + 2), Some((150, Quality::Measured)));
		assert_eq!(Meters::<Test>::get(b).unwrap().readings.counter, 1);
		assert_eq!(Meters::<Test>::get(c).unwrap().readings.counter, 0);
	});
}

#[test]
fn sends_again_only_what_stays_off_chain_for_a_while() {
	let (mut ext, state, pool) = relay_ext(true);
	ext.execute_with(|| {
		let a = active(1);
		keystore_holds(1);
		NowMs::set(u64::from(START + 1) * INTERVAL_MS + 1);
		let queued = [registers(a, START, 1_000)];

		expect_get(&state, &queued);
		assert_eq!(
			Consumption::relay_readings(1),
			Ok(Relayed { batched: 1, single: 0, reported: 0 })
		);
		assert_eq!(submitted(&pool).len(), 1);

		// Still in the pool, as far as the worker knows: not signed again.
		expect_get(&state, &queued);
		assert_eq!(Consumption::relay_readings(2), Ok(Relayed::default()));
		assert!(submitted(&pool).is_empty());

		// Long enough without reaching the chain: sent again, with the same counter.
		expect_get(&state, &queued);
		let later = 1 + u64::from(RESEND_AFTER_BLOCKS);
		assert_eq!(
			Consumption::relay_readings(later),
			Ok(Relayed { batched: 1, single: 0, reported: 0 })
		);
		let calls = submitted(&pool);
		assert_eq!(readings_of(&calls[0]), vec![registers(a, START, 1_000).with_counter(1)]);
	});
}

#[test]
fn late_readings_are_skipped_so_they_never_block_the_next() {
	let (mut ext, state, pool) = relay_ext(true);
	ext.execute_with(|| {
		let a = active(1);
		keystore_holds(1);
		let now = START + LATENESS + 2;
		NowMs::set(u64::from(now) * INTERVAL_MS + 1);
		// START is beyond the lateness window; the next one is not, and becomes counter 1.
		expect_get(&state, &[registers(a, START, 1_000), registers(a, now - 1, 1_500)]);
		assert_eq!(
			Consumption::relay_readings(1),
			Ok(Relayed { batched: 1, single: 0, reported: 0 })
		);
		let calls = submitted(&pool);
		assert_eq!(readings_of(&calls[0]), vec![registers(a, now - 1, 1_500).with_counter(1)]);
	});
}

#[test]
fn a_lost_reading_does_not_silence_its_meter() {
	let (mut ext, state, pool) = relay_ext(true);
	ext.execute_with(|| {
		let a = active(1);
		keystore_holds(1);
		NowMs::set(u64::from(START + 1) * INTERVAL_MS + 1);
		let baseline = registers(a, START, 1_000).with_counter(1);
		apply(Call::submit_reading { reading: baseline, signature: sign(1, &baseline) });
		// START + 1's reading never reached the chain and is now too late; the next one
		// follows a gap: it goes alone (a batch would refuse it), and the meter reads on.
		let now = START + LATENESS + 3;
		NowMs::set(u64::from(now) * INTERVAL_MS + 1);
		expect_get(&state, &[registers(a, START + 1, 1_100), registers(a, now - 1, 1_500)]);
		expect_report(&state, &[(a, IntervalIndex(START))]);
		assert_eq!(
			Consumption::relay_readings(1),
			Ok(Relayed { batched: 0, single: 1, reported: 1 })
		);
		let calls = submitted(&pool);
		assert_eq!(readings_of(&calls[0]), vec![registers(a, now - 1, 1_500).with_counter(2)]);
		calls.into_iter().for_each(apply);
		assert_eq!(Meters::<Test>::get(a).unwrap().readings.counter, 2);
	});
}

#[test]
fn without_an_oracle_or_with_garbage_nothing_is_sent() {
	let (mut ext, _, pool) = relay_ext(false);
	ext.execute_with(|| {
		assert_eq!(Consumption::relay_readings(1), Err(RelayError::NotConfigured));
		assert!(submitted(&pool).is_empty());
	});

	let (mut ext, state, pool) = relay_ext(true);
	ext.execute_with(|| {
		oracle_answers(&state, b"<html>not an oracle</html>".to_vec());
		assert_eq!(Consumption::relay_readings(1), Err(RelayError::BadResponse));
		assert!(submitted(&pool).is_empty());
	});
}
