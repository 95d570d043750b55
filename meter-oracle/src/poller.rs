//! Polls each meter on a schedule and forms one reading per interval: the registers at the
//! first successful poll after the interval ends, if that poll falls in the first half of the
//! next interval (a later value would credit the next interval's energy to this one; the
//! chain interpolates the skipped interval instead).

use daeg_primitives::{consumption::IntervalRegisters, Energy, IntervalIndex, MeterId, TimeScale};
use serde::Serialize;
use std::{
	collections::BTreeMap,
	sync::{Arc, Mutex, MutexGuard},
	time::{Duration, SystemTime, UNIX_EPOCH},
};

use crate::{meter::Meter, queue::Queue};

/// The queue, shared by the pollers and the HTTP server.
pub type SharedQueue = Arc<Mutex<Queue>>;
/// Each meter's status by chain id, for `/status`.
pub type SharedStatus = Arc<Mutex<BTreeMap<u64, MeterStatus>>>;

/// What the oracle last saw of a meter.
#[derive(Clone, Debug, Default, Serialize)]
pub struct MeterStatus {
	/// The meter's name.
	pub name: String,
	/// When it last answered with sane values, ms since the epoch.
	pub last_ok_ms: Option<u64>,
	/// Its last error, cleared by the next good poll.
	pub last_error: Option<String>,
	/// The last cumulative import and export registers.
	pub registers: Option<(Energy, Energy)>,
	/// The last active power, W.
	pub power_w: Option<f64>,
	/// The last interval formed.
	pub last_interval: Option<u32>,
}

/// Locks `m`, also after a poller panicked while holding it: the queue is consistent on disk
/// at every moment, and in memory it only changes after a successful write.
pub fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
	m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Wall-clock time in ms since the epoch.
pub fn now_ms() -> u64 {
	SystemTime::now()
		.duration_since(UNIX_EPOCH)
		.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
		.unwrap_or(0)
}

/// Grid time at wall-clock time `wall_ms`: the same, unless the chain's grid time runs faster.
pub fn grid_ms(scale: Option<TimeScale>, wall_ms: u64) -> u64 {
	scale.map_or(wall_ms, |s| s.grid_ms(wall_ms))
}

/// The interval a poll at `now_ms` forms a reading for, if any: the interval that just ended,
/// when the poll lies in the first half of the next one and the meter has no reading for it.
pub fn interval_to_form(
	now_ms: u64,
	length_ms: u64,
	last: Option<IntervalIndex>,
) -> Option<IntervalIndex> {
	let current = IntervalIndex::at(now_ms, length_ms)?;
	let into = now_ms.checked_rem(length_ms)?;
	if into.saturating_mul(2) > length_ms || current.0 == 0 {
		return None;
	}
	let ended = IntervalIndex(current.0 - 1);
	(last.is_none_or(|l| l < ended)).then_some(ended)
}

/// Polls `meter` forever.
pub async fn run(
	mut meter: Meter,
	queue: SharedQueue,
	status: SharedStatus,
	length: Duration,
	poll: Duration,
	scale: Option<TimeScale>,
) {
	let id = MeterId(meter.config.chain_id);
	let name = meter.config.name.clone();
	let length_ms = u64::try_from(length.as_millis()).unwrap_or(u64::MAX);
	locked(&status).insert(id.0, MeterStatus { name: name.clone(), ..Default::default() });
	let mut tick = tokio::time::interval(poll);
	tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
	loop {
		tick.tick().await;
		let result = meter.read().await;
		let now = now_ms();
		let grid_now = grid_ms(scale, now);
		let registers = match result {
			Ok(r) => r,
			Err(e) => {
				let message = e.to_string();
				let mut all = locked(&status);
				let s = all.entry(id.0).or_default();
				// Log an error when it starts or changes, not at every poll.
				if s.last_error.as_ref() != Some(&message) {
					log::warn!("meter {name} (#{}): {message}", id.0);
				}
				s.last_error = Some(message);
				continue;
			}
		};
		{
			let mut all = locked(&status);
			let s = all.entry(id.0).or_default();
			if s.last_error.take().is_some() {
				log::info!("meter {name} (#{}) answers again", id.0);
			}
			s.last_ok_ms = Some(now);
			s.registers = Some((registers.imported, registers.exported));
			s.power_w = registers.power_w;
		}
		let mut q = locked(&queue);
		let Some(interval) = interval_to_form(grid_now, length_ms, q.last(id).map(|r| r.interval))
		else {
			continue;
		};
		let reading = IntervalRegisters {
			meter: id,
			interval,
			imported: registers.imported,
			exported: registers.exported,
			measured_at: grid_now,
		};
		match q.push(reading) {
			Ok(()) => {
				log::info!(
					"meter {name} (#{}): interval {} import {} Wh export {} Wh queued ({} waiting)",
					id.0,
					interval.0,
					reading.imported.0,
					reading.exported.0,
					q.len()
				);
				let mut all = locked(&status);
				all.entry(id.0).or_default().last_interval = Some(interval.0);
			}
			Err(e) => {
				log::warn!("meter {name} (#{}): {e}", id.0);
				let mut all = locked(&status);
				all.entry(id.0).or_default().last_error = Some(e.to_string());
			}
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn one_reading_per_interval_early_in_the_next() {
		let l = 30_000;
		// Early in interval 11: form interval 10, once.
		assert_eq!(interval_to_form(11 * l + 1_000, l, None), Some(IntervalIndex(10)));
		assert_eq!(
			interval_to_form(11 * l + 1_000, l, Some(IntervalIndex(9))),
			Some(IntervalIndex(10))
		);
		assert_eq!(interval_to_form(11 * l + 3_000, l, Some(IntervalIndex(10))), None);
		// Too late in interval 11: interval 10 is skipped, not mis-credited.
		assert_eq!(interval_to_form(11 * l + 20_000, l, Some(IntervalIndex(9))), None);
		// After an outage of the meter, the reading is formed for the interval that just ended.
		assert_eq!(
			interval_to_form(20 * l + 10, l, Some(IntervalIndex(10))),
			Some(IntervalIndex(19))
		);
	}
}
