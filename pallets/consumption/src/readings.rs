//! Device-signed readings: the checks the transaction pool and dispatch share, interval energy
//! from cumulative registers, gap interpolation and anomaly detection.
//!
//! A meter's readings form a chain by their counter, like an account's nonces: a reading whose
//! counter is ahead of the chain's waits in the pool (it `requires` its predecessor's tag), so
//! the pool orders a meter's readings and no inclusion order can make a genuine one invalid.

use crate::{
	pallet::{Config, Error, Event, History, Meters, Pallet, Profiles},
	MeterOf, ReadingBatchOf, WeightInfo,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use daeg_primitives::{
	consumption::DailyProfile,
	consumption::{
		Anomaly, Correction, DispatchedEnergy, IntervalRecord, MeterSignature, MeterStatus,
		OnFinalInterval, Quality, Reading, ReadingError,
	},
	Energy, GridClock, IntervalIndex, MeterId,
};
use frame_support::{pallet_prelude::*, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::Zero, RuntimeAppPublic};

/// Grid time over which gaps are interpolated linearly; longer gaps are spread by the meter's
/// profile.
pub const INTERPOLATION_SPAN_MS: u64 = 2 * 3_600_000;

daeg_primitives::stored_type!(
	[Copy]
	/// The meter's latest accepted reading: the reference the next one is checked against.
	pub struct LastReading {
		/// Its interval.
		pub interval: IntervalIndex,
		/// Its cumulative import register.
		pub imported: Energy,
		/// Its cumulative export register.
		pub exported: Energy,
	}
);

daeg_primitives::stored_type!(
	[Copy, Default]
	/// What the chain knows of a meter's readings.
	pub struct ReadingState {
		/// The last accepted counter; 0 before the first reading, whose counter must be 1.
		pub counter: u32,
		/// The latest reading, once there is one.
		pub last: Option<LastReading>,
		/// Moving average (1/8 weight per interval) of the energy imported per interval.
		pub import_trend: Energy,
		/// Moving average (1/8 weight per interval) of the energy exported per interval.
		pub export_trend: Energy,
		/// Anomaly strikes: +1 per anomalous reading, −1 per clean one; at
		/// [`Config::MaxAnomalyStrikes`] the meter is suspended.
		pub strikes: u8,
		/// The meter's last final interval (see [`crate::finalize`]); its first reading's interval
		/// until the `on_idle` pass finalizes later ones.
		pub finalized: IntervalIndex,
		/// The energy (import, export) of final intervals after the last reading: substitutes the
		/// next reading's energy must not count again.
		pub final_after_last: (Energy, Energy),
	}
);

/// A reading that passed the checks, with the meter it belongs to.
pub(crate) struct Checked<T: Config> {
	/// The meter.
	pub meter: MeterOf<T>,
	/// Whether the counter is ahead of the chain's (it must wait for its predecessors).
	pub ahead: bool,
}

impl<T: Config> From<ReadingError> for Error<T> {
	fn from(e: ReadingError) -> Self {
		match e {
			ReadingError::UnknownMeter => Error::UnknownMeter,
			ReadingError::InactiveMeter => Error::InactiveMeter,
			ReadingError::BadSignature => Error::BadSignature,
			ReadingError::FutureInterval => Error::FutureInterval,
			ReadingError::LateReading => Error::LateReading,
			ReadingError::BadMeasurementTime => Error::BadMeasurementTime,
			ReadingError::Replay => Error::Replay,
			ReadingError::CounterGap => Error::CounterGap,
			ReadingError::OutOfOrder => Error::OutOfOrder,
			ReadingError::RegisterDecreased => Error::RegisterDecreased,
			ReadingError::EmptyBatch => Error::EmptyBatch,
			ReadingError::DuplicateInBatch => Error::DuplicateInBatch,
			ReadingError::GapInBatch => Error::GapInBatch,
			ReadingError::OverCapacity => Error::OverCapacity,
			ReadingError::ExportOnImportMeter => Error::ExportOnImportMeter,
		}
	}
}

/// `value / n`, for a count of intervals `n ≥ 1`.
fn share(value: Energy, n: u32) -> Energy {
	Energy(value.0.checked_div(u64::from(n)).unwrap_or(value.0))
}

/// The part of a gap's `total` energy that falls on its final intervals (`finals` of them,
/// weighing `final_weight`) rather than its `open` ones (weighing `open_weight`): in
/// proportion to the weights, or to the numbers of intervals where they all weigh nothing.
fn split(
	total: Energy,
	final_weight: u128,
	open_weight: u128,
	finals: u32,
	open: Option<u32>,
) -> Energy {
	let (part, all) = match final_weight.saturating_add(open_weight) {
		0 => (u128::from(finals), u128::from(finals).saturating_add(open.unwrap_or(0).into())),
		all => (final_weight, all),
	};
	let part = u128::from(total.0).saturating_mul(part).checked_div(all).unwrap_or(0);
	Energy(u64::try_from(part).unwrap_or(u64::MAX).min(total.0))
}

/// The trend after one more interval with energy `x`: an exponential moving average with
/// weight 1/8, started at the first value.
fn next_trend(trend: Energy, x: Energy) -> Energy {
	if trend.is_zero() {
		return x;
	}
	Energy(trend.0.saturating_sub(trend.0 / 8).saturating_add(x.0 / 8))
}

impl<T: Config> Pallet<T> {
	/// The lateness window in intervals.
	pub fn lateness_window() -> u32 {
		T::Grid::intervals_in(T::LatenessWindow::get())
	}

	/// The length of each meter's history ring, in intervals.
	pub fn history_length() -> u32 {
		T::Grid::intervals_in(T::HistoryMs::get())
	}

	/// The weight of [`Pallet::submit_reading`] writing `written` interval records: its
	/// benchmark plus one look at the dispatch schedule (made only for would-be jumps, so not
	/// in the benchmark's path).
	pub(crate) fn reading_weight(written: u32) -> Weight {
		T::WeightInfo::submit_reading(written).saturating_add(T::Dispatched::weight())
	}

	/// The most a reading weighs: after a gap it spreads its energy over the most intervals
	/// and trues up the final substitutes before it ([`crate::Config::OnFinal`]).
	pub(crate) fn max_reading_weight() -> Weight {
		Self::reading_weight(Self::max_spread())
			.saturating_add(<T::OnFinal as OnFinalInterval>::weight())
	}

	/// The weight of [`Pallet::record_exchange`]: its benchmark at the longest spread, the
	/// dispatch schedule a jump check reads and the true-up of final substitutes.
	pub(crate) fn exchange_weight() -> Weight {
		T::WeightInfo::record_exchange(Self::max_spread())
			.saturating_add(T::Dispatched::weight())
			.saturating_add(<T::OnFinal as OnFinalInterval>::weight())
	}

	/// The weight of [`Pallet::submit_readings`] with `n` readings (see
	/// [`Self::reading_weight`]).
	pub(crate) fn batch_weight(n: u32) -> Weight {
		T::WeightInfo::submit_readings(n)
			.saturating_add(T::Dispatched::weight().saturating_mul(u64::from(n)))
	}

	/// The longest gap, in intervals, that a reading's energy is spread over linearly.
	pub fn max_interpolation_gap() -> u32 {
		T::Grid::intervals_in(INTERPOLATION_SPAN_MS)
	}

	/// The pool's and dispatch's checks of a reading, in order of cost. The signature is
	/// checked when one is given (the pool and block import always give it; dispatch runs
	/// after it was checked). `in_block`: the reading is being included, so its counter must
	/// be exactly the next one.
	pub(crate) fn check_reading(
		r: &Reading,
		signature: Option<&MeterSignature>,
		in_block: bool,
	) -> Result<Checked<T>, ReadingError> {
		let meter = Meters::<T>::get(r.meter).ok_or(ReadingError::UnknownMeter)?;
		ensure!(meter.status == MeterStatus::Active, ReadingError::InactiveMeter);

		let current = T::Grid::current_interval();
		ensure!(r.interval < current, ReadingError::FutureInterval);
		let age = current.since(r.interval).unwrap_or(u32::MAX);
		ensure!(age <= Self::lateness_window(), ReadingError::LateReading);
		let length = T::Grid::interval_length_ms();
		let read_window = r.interval.end_ms(length).and_then(|s| Some((s, s.checked_add(length)?)));
		ensure!(
			read_window.is_some_and(|(from, to)| (from..to).contains(&r.measured_at)),
			ReadingError::BadMeasurementTime
		);

		let state = &meter.readings;
		ensure!(r.counter > state.counter, ReadingError::Replay);
		let ahead = r.counter > state.counter.saturating_add(1);
		ensure!(!(ahead && in_block), ReadingError::CounterGap);
		if let Some(last) = state.last {
			ensure!(r.interval > last.interval, ReadingError::OutOfOrder);
			ensure!(
				r.imported >= last.imported && r.exported >= last.exported,
				ReadingError::RegisterDecreased
			);
			// What the connection carries from the end of the last reading's interval to the
			// end of this one: more is a forged or broken register, never energy.
			let gap = r.interval.since(last.interval).unwrap_or(u32::MAX);
			let most = meter
				.max_power
				.energy_over(length.saturating_mul(u64::from(gap)))
				.unwrap_or(Energy(u64::MAX));
			ensure!(
				r.imported.saturating_sub(last.imported) <= most
					&& r.exported.saturating_sub(last.exported) <= most,
				ReadingError::OverCapacity
			);
			ensure!(
				meter.kind.measures_export() || r.exported == last.exported,
				ReadingError::ExportOnImportMeter
			);
		}

		if let Some(signature) = signature {
			let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
			let payload = r.signing_payload(genesis.as_ref());
			ensure!(meter.device_key.verify(&payload, signature), ReadingError::BadSignature);
		}
		Ok(Checked { meter, ahead })
	}

	/// The pool's validity of a reading: one per meter and interval (its `(meter, interval)`
	/// tag), ordered by counter (it provides its counter's tag and requires its predecessor's
	/// when ahead of the chain).
	pub(crate) fn reading_validity(
		source: TransactionSource,
		r: &Reading,
		signature: &MeterSignature,
	) -> TransactionValidityWithRefund {
		let checked =
			Self::check_reading(r, Some(signature), source == TransactionSource::InBlock)?;
		let mut validity = ValidTransaction::with_tag_prefix("DaegReading")
			.priority(T::ReadingPriority::get())
			.longevity(T::ReadingLongevity::get())
			.and_provides((b'i', r.meter, r.interval))
			.and_provides((b'c', r.meter, r.counter));
		if checked.ahead {
			validity = validity.and_requires((b'c', r.meter, r.counter.saturating_sub(1)));
		}
		Ok((validity.into(), Weight::zero()))
	}

	/// The pool's validity of a batch of readings: every reading passes the checks of a single
	/// one, each meter appears once, and each reading follows its meter's last by exactly one
	/// interval (or is its first), so that every reading writes at most one record. The batch
	/// provides and requires the tags its readings would alone.
	pub(crate) fn batch_validity(
		source: TransactionSource,
		batch: &ReadingBatchOf<T>,
	) -> TransactionValidityWithRefund {
		ensure!(!batch.is_empty(), ReadingError::EmptyBatch);
		let mut validity = ValidTransaction::with_tag_prefix("DaegReading")
			.priority(T::ReadingPriority::get())
			.longevity(T::ReadingLongevity::get());
		let mut meters: alloc::vec::Vec<MeterId> = alloc::vec::Vec::with_capacity(batch.len());
		for (r, signature) in batch.iter() {
			let checked =
				Self::check_batched(r, Some(signature), source == TransactionSource::InBlock)?;
			meters.push(r.meter);
			validity = validity
				.and_provides((b'i', r.meter, r.interval))
				.and_provides((b'c', r.meter, r.counter));
			if checked.ahead {
				validity = validity.and_requires((b'c', r.meter, r.counter.saturating_sub(1)));
			}
		}
		meters.sort_unstable();
		let unique = meters.windows(2).all(|w| w.first() != w.get(1));
		ensure!(unique, ReadingError::DuplicateInBatch);
		Ok((validity.into(), Weight::zero()))
	}

	/// Why the chain would refuse `r` as its meter's next reading, checked against the chain's
	/// state without its signature (`None`: it would not): how a relay keeps one impossible
	/// reading (a broken or forged register) from sinking a whole batch. Not the batch rule: a
	/// reading after a gap (its predecessor lost, then too late) is valid, and goes alone.
	pub fn refusal(r: &Reading) -> Option<ReadingError> {
		Self::check_reading(r, None, false).err()
	}

	/// [`Self::check_reading`] plus the batch rule: the reading follows its meter's last one
	/// by exactly one interval, or is its first.
	pub(crate) fn check_batched(
		r: &Reading,
		signature: Option<&MeterSignature>,
		in_block: bool,
	) -> Result<Checked<T>, ReadingError> {
		let checked = Self::check_reading(r, signature, in_block)?;
		if let Some(last) = checked.meter.readings.last {
			ensure!(r.interval.since(last.interval) == Some(1), ReadingError::GapInBatch);
		}
		Ok(checked)
	}

	/// Records a checked reading into `meter`'s state and history; returns the weight it used
	/// (the records it wrote and the true-up of final substitutes), for the refund.
	pub(crate) fn record_reading(id: MeterId, meter: &mut MeterOf<T>, r: &Reading) -> Weight {
		let state = &mut meter.readings;
		state.counter = r.counter;
		let next = LastReading { interval: r.interval, imported: r.imported, exported: r.exported };
		let Some(last) = state.last.replace(next) else {
			// Nothing before the first reading belongs to the meter.
			state.finalized = r.interval;
			state.final_after_last = (Energy::ZERO, Energy::ZERO);
			Self::deposit_event(Event::MeterBaseline { meter: id, interval: r.interval });
			return Self::reading_weight(1);
		};

		let gap = r.interval.since(last.interval).unwrap_or(1).max(1);
		let imported = r.imported.saturating_sub(last.imported);
		let exported = r.exported.saturating_sub(last.exported);
		let capacity =
			meter.max_power.energy_over(T::Grid::interval_length_ms()).unwrap_or(Energy(u64::MAX));
		let (per_import, per_export) = (share(imported, gap), share(exported, gap));

		// A step is judged against the meter's trend, or what the grid dispatched its unit to
		// do if that is more (a battery told to run at full power after idle hours).
		let jumps = |(import, export): (Energy, Energy)| {
			Self::jumps(per_import, state.import_trend.max(import), capacity)
				|| Self::jumps(per_export, state.export_trend.max(export), capacity)
		};
		// (Energy above what the connection carries never gets here: `check_reading`.)
		let anomaly = (jumps(Default::default())
			&& jumps(T::Dispatched::dispatched(id, r.interval).unwrap_or_default()))
		.then_some(Anomaly::Jump);
		// Estimates for a gap come from what the meter did before it.
		let prior_trend = (state.import_trend, state.export_trend);
		state.import_trend = next_trend(state.import_trend, per_import);
		state.export_trend = next_trend(state.export_trend, per_export);

		let counted = core::mem::take(&mut state.final_after_last);
		let start =
			last.interval.max(state.finalized).max(r.interval.saturating_sub(Self::max_spread()));
		let mut handled = Weight::zero();
		let written = if gap == 1 {
			Self::put_record(id, r.interval, imported, exported, Quality::Measured, anomaly);
			1
		} else {
			// The gap's energy is split over all its intervals as the estimates weigh them;
			// final substitutes keep their values and the market trues up their difference
			// from their share (`Correction`); the open intervals take the rest.
			let quality = Self::gap_quality(gap);
			let profile = (quality == Quality::Substituted).then(|| Profiles::<T>::get(id));
			let open = Self::gap_weights(profile.as_ref(), prior_trend, start, r.interval);
			let finals = state.finalized.since(last.interval).unwrap_or(0);
			// Substitutes were the same estimates: what they counted is the final part's
			// weight (evenly: one per interval).
			let final_weight = |counted: Energy| match profile {
				Some(_) => u128::from(counted.0),
				None => u128::from(finals),
			};
			let measured = (
				split(imported, final_weight(counted.0), open.0, finals, r.interval.since(start)),
				split(exported, final_weight(counted.1), open.1, finals, r.interval.since(start)),
			);
			if let (true, Some(from)) = (finals > 0, last.interval.checked_add(1)) {
				let correction =
					Correction { from, to: state.finalized, counted, measured, anomaly };
				handled = T::OnFinal::on_correction(id, r.interval, &correction);
				Self::deposit_event(Event::IntervalsTruedUp { meter: id, correction });
			}
			let remaining =
				(imported.saturating_sub(measured.0), exported.saturating_sub(measured.1));
			let written = Self::spread(
				id,
				(start, r.interval),
				remaining,
				quality,
				profile.as_ref(),
				prior_trend,
				anomaly,
			);
			Self::deposit_event(Event::GapFilled {
				meter: id,
				from: last.interval,
				to: r.interval,
				quality,
			});
			written
		};

		if let Some(anomaly) = anomaly {
			state.strikes = state.strikes.saturating_add(1);
			Self::deposit_event(Event::ReadingAnomaly {
				meter: id,
				interval: r.interval,
				anomaly,
				strikes: state.strikes,
			});
			if state.strikes >= T::MaxAnomalyStrikes::get()
				&& meter.status != MeterStatus::Suspended
			{
				meter.status = MeterStatus::Suspended;
				Self::deposit_event(Event::MeterSuspendedForAnomalies { meter: id });
			}
		} else {
			state.strikes = state.strikes.saturating_sub(1);
		}
		Self::reading_weight(written.max(1)).saturating_add(handled)
	}

	/// How the intervals of a gap of `gap` intervals are estimated: linearly up to the
	/// interpolation span, from the meter's profile beyond.
	fn gap_quality(gap: u32) -> Quality {
		if gap <= Self::max_interpolation_gap() {
			Quality::Interpolated
		} else {
			Quality::Substituted
		}
	}

	/// Whether an interval's energy `x` is an implausible step: above [`Config::JumpFactor`]
	/// times the meter's trend and above half of what its connection carries in an interval.
	/// A meter without a trend yet has no pattern to jump from.
	fn jumps(x: Energy, trend: Energy, capacity: Energy) -> bool {
		!trend.is_zero()
			&& u128::from(x.0) > u128::from(trend.0).saturating_mul(T::JumpFactor::get().into())
			&& x.0 > capacity.0 / 2
	}

	/// The weights (import, export) of the intervals after `start` up to `to` in a gap's
	/// split: one each, or the meter's estimate of each (its `profile`, else its `trend`).
	fn gap_weights(
		profile: Option<&DailyProfile>,
		trend: (Energy, Energy),
		start: IntervalIndex,
		to: IntervalIndex,
	) -> (u128, u128) {
		let n = to.since(start).unwrap_or(0);
		(1..=n).filter_map(|k| start.checked_add(k)).fold((0, 0), |(i, e), t| {
			let (wi, we) = Self::gap_weight(profile, trend, t);
			(i.saturating_add(wi.into()), e.saturating_add(we.into()))
		})
	}

	/// The weight (import, export) of interval `t` in a gap's split (see [`Self::gap_weights`]).
	fn gap_weight(
		profile: Option<&DailyProfile>,
		trend: (Energy, Energy),
		t: IntervalIndex,
	) -> (u64, u64) {
		match profile {
			Some(profile) => {
				let (i, e) = Self::estimate(profile, trend, t);
				(i.0, e.0)
			}
			None => (1, 1),
		}
	}

	/// Spreads `energy` (import, export) over the open intervals after `start` up to `to` of
	/// a gap, with `quality`: in proportion to their weights ([`Self::gap_weights`]: evenly
	/// up to the interpolation span, by the meter's `profile` beyond), evenly where they all
	/// weigh nothing. The last interval takes the rounding remainder and the reading's
	/// anomaly flag. Returns the records written.
	fn spread(
		id: MeterId,
		(start, to): (IntervalIndex, IntervalIndex),
		energy: (Energy, Energy),
		quality: Quality,
		profile: Option<&DailyProfile>,
		trend: (Energy, Energy),
		anomaly: Option<Anomaly>,
	) -> u32 {
		let n = to.since(start).unwrap_or(1).max(1);
		let intervals = || (1..=n).filter_map(|k| start.checked_add(k));
		let (w_import, w_export) = Self::gap_weights(profile, trend, start, to);
		// A share of `total` for an interval of weight `w` out of `all` (evenly if `all` is 0).
		let portion = |total: Energy, w: u64, all: u128| -> Energy {
			let (w, all) = if all == 0 { (1, u128::from(n)) } else { (u128::from(w), all) };
			let part = u128::from(total.0).saturating_mul(w).checked_div(all).unwrap_or(0);
			Energy(u64::try_from(part).unwrap_or(u64::MAX))
		};

		let (mut imported, mut exported) = energy;
		let mut written = 0u32;
		for t in intervals() {
			written = written.saturating_add(1);
			if t == to {
				// The last interval takes the remainder of the split.
				Self::put_record(id, t, imported, exported, quality, anomaly);
				break;
			}
			let (wi, we) = Self::gap_weight(profile, trend, t);
			let i = portion(energy.0, wi, w_import).min(imported);
			let e = portion(energy.1, we, w_export).min(exported);
			Self::put_record(id, t, i, e, quality, None);
			imported = imported.saturating_sub(i);
			exported = exported.saturating_sub(e);
		}
		written
	}

	/// The history slot of an interval: the history is a ring of [`Config::HistoryMs`]
	/// intervals per meter, so writing an interval overwrites the one `HistoryLength` before.
	pub(crate) fn slot(interval: IntervalIndex) -> u32 {
		interval.0.checked_rem(Self::history_length()).unwrap_or(0)
	}

	/// The record of `interval` at meter `id`, if the history still holds it.
	pub fn record(id: MeterId, interval: IntervalIndex) -> Option<IntervalRecord> {
		History::<T>::get(id, Self::slot(interval)).filter(|r| r.interval == interval)
	}

	/// Stores one interval's energy and announces it; returns the record.
	pub(crate) fn put_record(
		id: MeterId,
		interval: IntervalIndex,
		imported: Energy,
		exported: Energy,
		quality: Quality,
		anomaly: Option<Anomaly>,
	) -> IntervalRecord {
		let record = IntervalRecord { interval, imported, exported, quality, anomaly };
		History::<T>::insert(id, Self::slot(interval), record);
		Self::deposit_event(Event::IntervalRecorded {
			meter: id,
			interval,
			imported,
			exported,
			quality,
		});
		record
	}
}
