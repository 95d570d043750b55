//! The durable queue: every formed reading stays on disk until the chain holds it.
//!
//! The queue is one JSON file, rewritten atomically (write a temporary file, sync it, rename it
//! over the old one, sync the directory) on every change, so a crash at any moment leaves
//! either the old or the new queue, never a torn one. Beside it, an append-only journal keeps
//! every reading ever formed, for audits and tests.
//!
//! Re-delivery never double-counts: the chain accepts one reading per meter and interval, and
//! the worker only signs readings after the chain's last interval for the meter.

use daeg_primitives::{consumption::IntervalRegisters, IntervalIndex, MeterId};
use serde::{Deserialize, Serialize};
use std::{
	collections::BTreeMap,
	fs::{self, File, OpenOptions},
	io::Write,
	path::{Path, PathBuf},
};

use crate::Error;

const QUEUE_FILE: &str = "queue.json";
const JOURNAL_FILE: &str = "journal.jsonl";

/// What survives a restart.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct State {
	/// Each meter's latest formed reading, the reference for the next one (kept after
	/// delivery, so that a restart neither re-forms an interval nor accepts a register going
	/// down).
	last: BTreeMap<u64, IntervalRegisters>,
	/// Readings the chain does not hold yet, oldest first.
	pending: Vec<IntervalRegisters>,
}

/// The queue.
#[derive(Debug)]
pub struct Queue {
	dir: PathBuf,
	state: State,
}

fn io(what: &Path, e: std::io::Error) -> Error {
	Error::Queue(format!("{}: {e}", what.display()))
}

impl Queue {
	/// Opens the queue in `dir` (created if missing), with what a previous run left.
	pub fn open(dir: &Path) -> Result<Self, Error> {
		fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
		let path = dir.join(QUEUE_FILE);
		let state = match fs::read(&path) {
			Ok(bytes) => serde_json::from_slice(&bytes)
				.map_err(|e| Error::Queue(format!("{}: {e}", path.display())))?,
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => State::default(),
			Err(e) => return Err(io(&path, e)),
		};
		Ok(Self { dir: dir.to_path_buf(), state })
	}

	/// The meter's latest formed reading.
	pub fn last(&self, meter: MeterId) -> Option<IntervalRegisters> {
		self.state.last.get(&meter.0).copied()
	}

	/// Queues a newly formed reading, durably, after checking it against the meter's last one:
	/// a later interval and no register going down.
	pub fn push(&mut self, r: IntervalRegisters) -> Result<(), Error> {
		if let Some(last) = self.last(r.meter) {
			if r.interval <= last.interval {
				return Err(Error::Insane(format!(
					"interval {} is not after the last formed one ({})",
					r.interval.0, last.interval.0
				)));
			}
			if r.imported < last.imported || r.exported < last.exported {
				return Err(Error::Insane(format!(
					"a register went down: import {} → {} Wh, export {} → {} Wh",
					last.imported.0, r.imported.0, last.exported.0, r.exported.0
				)));
			}
		}
		let mut next = self.state.clone();
		next.last.insert(r.meter.0, r);
		next.pending.push(r);
		self.persist(&next)?;
		self.state = next;
		self.journal(&r)
	}

	/// Up to `max` readings the chain does not hold yet, oldest first.
	pub fn pending(&self, max: usize) -> Vec<IntervalRegisters> {
		self.state.pending.iter().take(max).copied().collect()
	}

	/// How many readings wait for the chain.
	pub fn len(&self) -> usize {
		self.state.pending.len()
	}

	/// Whether nothing waits.
	pub fn is_empty(&self) -> bool {
		self.state.pending.is_empty()
	}

	/// Forgets the readings the chain holds: for each `(meter, last interval on chain)`, the
	/// meter's readings up to that interval. Returns how many were forgotten.
	pub fn delivered(&mut self, on_chain: &[(MeterId, IntervalIndex)]) -> Result<usize, Error> {
		let held: BTreeMap<MeterId, IntervalIndex> = on_chain.iter().copied().collect();
		let mut next = self.state.clone();
		next.pending.retain(|r| held.get(&r.meter).is_none_or(|last| r.interval > *last));
		let forgotten = self.state.pending.len() - next.pending.len();
		if forgotten > 0 {
			self.persist(&next)?;
			self.state = next;
		}
		Ok(forgotten)
	}

	fn persist(&self, state: &State) -> Result<(), Error> {
		let path = self.dir.join(QUEUE_FILE);
		let tmp = self.dir.join(format!("{QUEUE_FILE}.tmp"));
		let bytes =
			serde_json::to_vec(state).map_err(|e| Error::Queue(format!("encoding: {e}")))?;
		let mut file = File::create(&tmp).map_err(|e| io(&tmp, e))?;
		file.write_all(&bytes).and_then(|_| file.sync_all()).map_err(|e| io(&tmp, e))?;
		fs::rename(&tmp, &path).map_err(|e| io(&path, e))?;
		File::open(&self.dir).and_then(|d| d.sync_all()).map_err(|e| io(&self.dir, e))
	}

	fn journal(&self, r: &IntervalRegisters) -> Result<(), Error> {
		let path = self.dir.join(JOURNAL_FILE);
		let mut line = serde_json::to_vec(r).map_err(|e| Error::Queue(format!("encoding: {e}")))?;
		line.push(b'\n');
		OpenOptions::new()
			.create(true)
			.append(true)
			.open(&path)
			.and_then(|mut f| f.write_all(&line).and_then(|_| f.sync_data()))
			.map_err(|e| io(&path, e))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use daeg_primitives::Energy;

	fn reading(meter: u64, interval: u32, imported: u64) -> IntervalRegisters {
		IntervalRegisters {
			meter: MeterId(meter),
			interval: IntervalIndex(interval),
			imported: Energy(imported),
			exported: Energy(0),
			measured_at: u64::from(interval + 1) * 30_000 + 500,
		}
	}

	#[test]
	fn survives_a_restart_and_forgets_only_what_the_chain_holds() {
		let dir = tempfile::tempdir().unwrap();
		{
			let mut q = Queue::open(dir.path()).unwrap();
			q.push(reading(0, 10, 100)).unwrap();
			q.push(reading(0, 11, 150)).unwrap();
			q.push(reading(1, 11, 7)).unwrap();
		} // a crash: nothing but the files remain
		let mut q = Queue::open(dir.path()).unwrap();
		assert_eq!(
			q.pending(10),
			vec![reading(0, 10, 100), reading(0, 11, 150), reading(1, 11, 7)]
		);
		assert_eq!(q.delivered(&[(MeterId(0), IntervalIndex(10))]).unwrap(), 1);
		assert_eq!(q.delivered(&[(MeterId(0), IntervalIndex(10))]).unwrap(), 0, "idempotent");
		let q = Queue::open(dir.path()).unwrap();
		assert_eq!(q.pending(10), vec![reading(0, 11, 150), reading(1, 11, 7)]);
		assert_eq!(q.last(MeterId(0)), Some(reading(0, 11, 150)));
		let journal = fs::read_to_string(dir.path().join(JOURNAL_FILE)).unwrap();
		assert_eq!(journal.lines().count(), 3);
	}

	#[test]
	fn refuses_repeated_intervals_and_falling_registers() {
		let dir = tempfile::tempdir().unwrap();
		let mut q = Queue::open(dir.path()).unwrap();
		q.push(reading(0, 10, 100)).unwrap();
		q.delivered(&[(MeterId(0), IntervalIndex(10))]).unwrap();
		// The reference survives delivery.
		assert!(matches!(q.push(reading(0, 10, 120)), Err(Error::Insane(_))));
		assert!(matches!(q.push(reading(0, 11, 99)), Err(Error::Insane(_))));
		assert!(q.is_empty(), "nothing refused was queued");
	}

	#[test]
	fn a_corrupt_queue_is_an_error_not_an_empty_queue() {
		let dir = tempfile::tempdir().unwrap();
		fs::write(dir.path().join(QUEUE_FILE), b"{not json").unwrap();
		assert!(matches!(Queue::open(dir.path()), Err(Error::Queue(_))));
	}
}
