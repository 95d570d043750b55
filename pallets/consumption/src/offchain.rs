//! The offchain worker: relays the meter oracle's queued readings to the chain.
//!
//! Each block, the worker fetches the oracle's queue over local HTTP (the URL the node wrote
//! from its `--meter-oracle` flag), and for every meter whose device key is in the node's
//! keystore (key type `metr`) signs the readings after the chain's last one for that meter,
//! numbering them from the chain's counter, and submits them as authorized transactions: the
//! next reading of every meter together in batches, any further ones (after an outage) one by
//! one, waiting in the pool for their predecessors. It then tells the oracle each meter's last
//! interval on chain, so that the oracle forgets what the chain holds.
//!
//! Nothing here can double-count: the chain accepts one reading per meter and interval, in
//! order. A reading that cannot land any more (older than the lateness window), or that the
//! chain would refuse (a register beyond what the connection carries), is skipped, so that it
//! never blocks the meter's later readings or sinks a batch; the chain fills its interval from
//! the next reading.

use crate::pallet::{Call, Config, Meters, Pallet};
use alloc::{collections::BTreeMap, format, vec::Vec};
use codec::{Decode, Encode};
use daeg_primitives::{
	consumption::{oracle_api, IntervalRegisters, MeterSignature, MeterStatus, Reading},
	GridClock, IntervalIndex, MeterId,
};
use frame_support::traits::Get;
use frame_system::{
	offchain::{CreateAuthorizedTransaction, SubmitTransaction},
	pallet_prelude::BlockNumberFor,
};
use sp_runtime::{
	offchain::{
		http,
		storage::StorageValueRef,
		storage_lock::{BlockAndTime, StorageLock},
		Duration,
	},
	traits::Zero,
	RuntimeAppPublic, Saturating,
};

/// How long one HTTP exchange with the oracle may take.
const HTTP_TIMEOUT_MS: u64 = 3_000;
/// Readings submitted this many blocks ago and still not on chain are signed and sent again
/// (the pool may have dropped them); sooner, they are left to the pool.
pub const RESEND_AFTER_BLOCKS: u32 = 5;
/// The worker's lock (workers of consecutive blocks may overlap) and its memory of what it
/// sent, in the node's persistent offchain storage.
const LOCK_KEY: &[u8] = b"daeg/meter-oracle/lock";
const SENT_KEY: &[u8] = b"daeg/meter-oracle/sent";

/// Why a relay round did nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelayError {
	/// The node has no `--meter-oracle` URL.
	NotConfigured,
	/// Another worker is relaying.
	Busy,
	/// The oracle did not answer, or not with 200.
	Http,
	/// The oracle's answer was not a SCALE list of readings.
	BadResponse,
}

/// What a relay round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Relayed {
	/// Readings submitted in batches.
	pub batched: u32,
	/// Readings submitted one by one.
	pub single: u32,
	/// Meters whose last interval on chain was reported to the oracle.
	pub reported: u32,
}

type Sent<T> = BTreeMap<(MeterId, IntervalIndex), BlockNumberFor<T>>;

/// One HTTP exchange; the body of a 200 answer.
fn exchange<I: AsRef<[u8]>, B: Default + IntoIterator<Item = I>>(
	request: http::Request<B>,
) -> Result<Vec<u8>, RelayError> {
	let deadline = sp_io::offchain::timestamp().add(Duration::from_millis(HTTP_TIMEOUT_MS));
	let pending = request.deadline(deadline).send().map_err(|_| RelayError::Http)?;
	let response =
		pending.try_wait(deadline).map_err(|_| RelayError::Http)?.map_err(|_| RelayError::Http)?;
	if response.code != 200 {
		return Err(RelayError::Http);
	}
	Ok(response.body().collect())
}

impl<T: Config> Pallet<T> {
	/// One relay round at block `now` (see the module docs).
	pub fn relay_readings(now: BlockNumberFor<T>) -> Result<Relayed, RelayError> {
		let url = StorageValueRef::persistent(oracle_api::URL_KEY)
			.get::<Vec<u8>>()
			.ok()
			.flatten()
			.and_then(|u| alloc::string::String::from_utf8(u).ok())
			.ok_or(RelayError::NotConfigured)?;
		let url = url.trim_end_matches('/');
		let mut lock =
			StorageLock::<BlockAndTime<frame_system::Pallet<T>>>::with_block_and_time_deadline(
				LOCK_KEY,
				1,
				Duration::from_millis(HTTP_TIMEOUT_MS.saturating_mul(3)),
			);
		let _guard = lock.try_lock().map_err(|_| RelayError::Busy)?;

		let body = exchange(http::Request::get(&format!("{url}{}", oracle_api::READINGS_PATH)))?;
		let queued = Vec::<IntervalRegisters>::decode(&mut &body[..])
			.map_err(|_| RelayError::BadResponse)?;

		let sent_store = StorageValueRef::persistent(SENT_KEY);
		let sent: Sent<T> = sent_store.get().ok().flatten().unwrap_or_default();
		let (batch, single, report, now_sent) = Self::sign_queued(queued, &sent, now);
		let relayed = Relayed {
			batched: batch.len() as u32,
			single: single.len() as u32,
			reported: report.len() as u32,
		};

		let max = T::MaxReadingsPerBatch::get().max(1) as usize;
		for chunk in batch.chunks(max) {
			let Ok(readings) = chunk.to_vec().try_into() else { continue };
			Self::submit(Call::submit_readings { readings });
		}
		for (reading, signature) in single {
			Self::submit(Call::submit_reading { reading, signature });
		}
		sent_store.set(&now_sent);

		if !report.is_empty() {
			let url = format!("{url}{}", oracle_api::DELIVERED_PATH);
			exchange(http::Request::post(&url, alloc::vec![report.encode()]))?;
		}
		Ok(relayed)
	}

	/// Signs what the chain lacks of `queued`: the batchable readings (each meter's next one,
	/// one interval after its last), the others, each meter's last interval on chain, and the
	/// updated memory of what was sent when.
	fn sign_queued(
		queued: Vec<IntervalRegisters>,
		sent: &Sent<T>,
		now: BlockNumberFor<T>,
	) -> (
		Vec<(Reading, MeterSignature)>,
		Vec<(Reading, MeterSignature)>,
		Vec<(MeterId, IntervalIndex)>,
		Sent<T>,
	) {
		let mut by_meter: BTreeMap<MeterId, Vec<IntervalRegisters>> = BTreeMap::new();
		for r in queued {
			by_meter.entry(r.meter).or_default().push(r);
		}
		let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
		let current = T::Grid::current_interval();
		let oldest = current.saturating_sub(Self::lateness_window());
		let (mut batch, mut single, mut report) = (Vec::new(), Vec::new(), Vec::new());
		let mut now_sent = Sent::<T>::new();

		for (id, mut readings) in by_meter {
			let Some(meter) = Meters::<T>::get(id) else { continue };
			let state = meter.readings;
			let last = state.last.map(|l| l.interval);
			if let Some(last) = last {
				report.push((id, last));
			}
			if meter.status != MeterStatus::Active {
				continue;
			}
			readings.sort_by_key(|r| r.interval);
			let (mut counter, mut previous) = (state.counter, last);
			for r in readings {
				if previous.is_some_and(|p| r.interval <= p) || r.interval < oldest {
					continue;
				}
				if r.interval >= current {
					break; // not over yet on chain: the next block's worker sends it
				}
				let first = counter == state.counter;
				if first {
					// The chain can judge the meter's next reading now: one it would refuse (a
					// register beyond what the connection carries) is not sent, so that it
					// cannot sink the batch; the meter's next reading covers its time.
					if let Some(e) = Self::refusal(&r.with_counter(counter.saturating_add(1))) {
						log::warn!(
							target: "daeg::meter-oracle",
							"meter {} interval {}: the chain refuses its reading ({e:?}); not sent",
							id.0,
							r.interval.0
						);
						continue;
					}
				}
				counter = counter.saturating_add(1);
				let follows = previous.is_none_or(|p| r.interval.since(p) == Some(1));
				previous = Some(r.interval);
				if let Some(at) = sent.get(&(id, r.interval)) {
					if now.saturating_sub(*at) < RESEND_AFTER_BLOCKS.into() {
						now_sent.insert((id, r.interval), *at);
						continue;
					}
				}
				let reading = r.with_counter(counter);
				// `None`: the meter's key is not in this node's keystore; another node relays it.
				let Some(signature) =
					meter.device_key.sign(&reading.signing_payload(genesis.as_ref()))
				else {
					break;
				};
				now_sent.insert((id, r.interval), now);
				if first && follows {
					batch.push((reading, signature));
				} else {
					single.push((reading, signature));
				}
			}
		}
		(batch, single, report, now_sent)
	}

	fn submit(call: Call<T>) {
		let xt =
			<T as CreateAuthorizedTransaction<Call<T>>>::create_authorized_transaction(call.into());
		if SubmitTransaction::<T, Call<T>>::submit_transaction(xt).is_err() {
			log::debug!(target: "daeg::meter-oracle", "the pool refused a reading transaction");
		}
	}
}
