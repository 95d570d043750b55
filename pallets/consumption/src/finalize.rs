//! Final interval values: substitutes for missing readings, and the aggregates built from final
//! values (day and month totals, the typical daily profile).
//!
//! An interval is *open* while its reading may still arrive (the lateness window) and *final*
//! afterwards. Each meter keeps a pointer, [`ReadingState::finalized`], to its last final
//! interval. A bounded `on_idle` pass visits every meter once per interval and
//!
//! - gives each **overdue** open interval (its reading should have arrived in the interval after
//!   it) a *provisional* substitute from the meter's profile, so that balancing sees a value at
//!   once; a reading that still arrives within the window overwrites it;
//! - **finalizes** the intervals that left the window: a missing value gets a substitute, and
//!   the value is folded into the meter's day and month totals and (if measured and clean) into
//!   its profile, and [`Config::OnFinal`](crate::Config::OnFinal) is told of it.
//!
//! A meter that sends no reading for [`Config::MaxSilence`](crate::Config::MaxSilence) after its
//! last is suspended by its visit (`MeterSuspendedForSilence`), so that the operators look at it.
//!
//! Final values never change, so settlement may pay from them. A reading after a gap therefore
//! spreads its energy over the open intervals only, minus what final substitutes since the
//! previous reading already count ([`ReadingState::final_after_last`]), so that the meter's
//! total over time is what its registers say.
//!
//! [`ReadingState::finalized`]: crate::ReadingState::finalized
//! [`ReadingState::final_after_last`]: crate::ReadingState::final_after_last

use crate::{
	pallet::{
		Config, DayTotals, Event, FinalizePass, Meters, MonthTotals, Pallet, Profiles,
		SourceIntensities,
	},
	MeterOf, WeightInfo,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use daeg_primitives::{
	consumption::{DailyProfile, EnergyTotals, Period},
	consumption::{IntervalRecord, MeterStatus, OnFinalInterval, Quality},
	ring, CarbonIntensity, DayIndex, Energy, EnergySource, GridClock, IntervalIndex, MeterId,
	MonthIndex,
};
use frame_support::{pallet_prelude::*, traits::Get, weights::Weight};

daeg_primitives::stored_type!(
	[Copy, Default]
	/// Where the `on_idle` pass stands.
	pub struct Pass {
		/// The interval the pass runs in: one pass over all meters per interval.
		pub interval: IntervalIndex,
		/// The last meter visited, by this pass or an earlier one: visits go on after it in
		/// storage order, round the end to the first meter, so that a pass the idle weight of one
		/// interval does not finish goes on where it stopped in the next, and every meter is
		/// visited in turn however many there are.
		pub after: Option<MeterId>,
		/// Meters visited in this interval's pass.
		pub visited: u32,
		/// Whether every meter has been visited in this interval.
		pub done: bool,
	}
);

/// What a visit of one meter did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Visit {
	/// Intervals finalized (each with a substitute at worst).
	pub finalized: u32,
	/// Provisional substitutes written.
	pub provisional: u32,
	/// The weight [`Config::OnFinal`](crate::Config::OnFinal) used for the final values.
	pub handled: Weight,
}

impl Visit {
	/// Intervals handled: what the visit's weight depends on.
	pub fn work(&self) -> u32 {
		self.finalized.saturating_add(self.provisional)
	}
}

/// Day and month totals of one meter while a visit folds intervals into them: each is read
/// once and written once per visit (twice when the visit crosses midnight or a month's end).
struct Totals<T: Config> {
	meter: MeterId,
	day: Option<(DayIndex, EnergyTotals)>,
	month: Option<(MonthIndex, EnergyTotals)>,
	_config: core::marker::PhantomData<T>,
}

impl<T: Config> Totals<T> {
	fn new(meter: MeterId) -> Self {
		Self { meter, day: None, month: None, _config: Default::default() }
	}

	/// Adds a final record of day `day`.
	fn add(&mut self, day: DayIndex, record: &IntervalRecord) {
		if self.day.is_some_and(|(d, _)| d != day) {
			self.flush_day();
		}
		let meter = self.meter;
		let (_, totals) = self.day.get_or_insert_with(|| {
			let kept = DayTotals::<T>::get(meter, Pallet::<T>::day_slot(day));
			(day, ring::kept(kept, day).unwrap_or_default())
		});
		totals.add(record);

		let month = day.month();
		if self.month.is_some_and(|(m, _)| m != month) {
			self.flush_month();
		}
		let (_, totals) = self.month.get_or_insert_with(|| {
			let kept = MonthTotals::<T>::get(meter, Pallet::<T>::month_slot(month));
			(month, ring::kept(kept, month).unwrap_or_default())
		});
		totals.add(record);
	}

	/// Writes what the visit added.
	fn flush(mut self) {
		self.flush_day();
		self.flush_month();
	}

	fn flush_day(&mut self) {
		if let Some((day, totals)) = self.day.take() {
			DayTotals::<T>::insert(self.meter, Pallet::<T>::day_slot(day), (day, totals));
		}
	}

	fn flush_month(&mut self) {
		if let Some((month, totals)) = self.month.take() {
			MonthTotals::<T>::insert(self.meter, Pallet::<T>::month_slot(month), (month, totals));
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The most intervals one visit of a meter handles: twice the lateness window and a
	/// margin, so that a meter that fell behind catches up within a few passes.
	pub fn max_visit_work() -> u32 {
		Self::lateness_window().saturating_add(2).saturating_mul(2)
	}

	/// The most intervals a reading spreads its energy over: a gap's open intervals (the
	/// lateness window and the interval a pass may still owe), or the interpolation span.
	pub fn max_spread() -> u32 {
		Self::max_interpolation_gap().max(Self::lateness_window().saturating_add(2))
	}

	/// The day-totals slot of `day`: a ring of [`Config::HistoryDays`] days per meter.
	pub(crate) fn day_slot(day: DayIndex) -> u32 {
		ring::slot(day.0, T::HistoryDays::get())
	}

	/// The month-totals slot of `month`: a ring of [`Config::HistoryMonths`] months per meter.
	pub(crate) fn month_slot(month: MonthIndex) -> u32 {
		ring::slot(month.0, T::HistoryMonths::get())
	}

	/// The last interval that is final at `current`: the one just older than the window.
	pub(crate) fn last_final(current: IntervalIndex) -> Option<IntervalIndex> {
		current.0.checked_sub(Self::lateness_window().saturating_add(1)).map(IntervalIndex)
	}

	/// The hour of the day interval `t` starts in.
	pub(crate) fn hour(t: IntervalIndex) -> usize {
		t.hour_of_day(T::Grid::interval_length_ms()).map(usize::from).unwrap_or(0)
	}

	/// The estimate for interval `t` of a meter: its profile's value for the hour, or its
	/// `trend` (import, export per interval) while the profile knows nothing of that hour.
	pub(crate) fn estimate(
		profile: &DailyProfile,
		trend: (Energy, Energy),
		t: IntervalIndex,
	) -> (Energy, Energy) {
		match profile.get(Self::hour(t)) {
			Some(p) if p.samples > 0 => (p.imported, p.exported),
			_ => trend,
		}
	}

	/// Visits meter `id` at interval `current` (see the module's documentation), handling at
	/// most [`Self::max_visit_work`] intervals. The caller stores `meter` afterwards.
	pub(crate) fn visit(id: MeterId, meter: &mut MeterOf<T>, current: IntervalIndex) -> Visit {
		let mut visit = Visit::default();
		let Some(last) = meter.readings.last else { return visit };
		let budget = Self::max_visit_work();
		let length = T::Grid::interval_length_ms();
		let mut profile = Profiles::<T>::get(id);
		let trend = (meter.readings.import_trend, meter.readings.export_trend);
		let mut learnt = false;
		let mut totals = Totals::<T>::new(id);

		if let Some(last_final) = Self::last_final(current) {
			while meter.readings.finalized < last_final && visit.work() < budget {
				let Some(t) = meter.readings.finalized.checked_add(1) else { break };
				meter.readings.finalized = t;
				visit.finalized = visit.finalized.saturating_add(1);
				let record = match crate::History::<T>::get(id, Self::slot(t)) {
					Some(r) if r.interval == t => r,
					// The ring already holds a later interval: this one is lost to analytics.
					Some(r) if r.interval > t => continue,
					_ => {
						let (imported, exported) = Self::estimate(&profile, trend, t);
						Self::put_record(id, t, imported, exported, Quality::Substituted, None)
					}
				};
				if t > last.interval {
					let settled = &mut meter.readings.final_after_last;
					settled.0 = settled.0.saturating_add(record.imported);
					settled.1 = settled.1.saturating_add(record.exported);
				}
				if let Some(day) = t.day(length) {
					totals.add(day, &record);
				}
				let handled = <T::OnFinal as OnFinalInterval>::on_final(id, &record);
				visit.handled = visit.handled.saturating_add(handled);
				if record.quality == Quality::Measured && record.anomaly.is_none() {
					if let Some(hour) = profile.get_mut(Self::hour(t)) {
						crate::figures::learn(hour, record.imported, record.exported);
						learnt = true;
					}
				}
			}
		}

		// Overdue open intervals: their reading was due in the interval after them.
		let mut t = meter.readings.finalized.max(last.interval);
		while visit.work() < budget {
			let Some(next) = t.checked_add(1) else { break };
			if next.checked_add(2).is_none_or(|due| due > current) {
				break;
			}
			t = next;
			if Self::record(id, t).is_none() {
				let (imported, exported) = Self::estimate(&profile, trend, t);
				Self::put_record(id, t, imported, exported, Quality::Substituted, None);
			}
			visit.provisional = visit.provisional.saturating_add(1);
		}

		totals.flush();
		if learnt {
			Profiles::<T>::insert(id, profile);
		}
		let silent = current.since(last.interval).is_some_and(|d| d > Self::max_silence());
		if silent && meter.status == MeterStatus::Active {
			meter.status = MeterStatus::Suspended;
			Self::deposit_event(Event::MeterSuspendedForSilence {
				meter: id,
				last_reading: last.interval,
			});
		}
		visit
	}

	/// [`Config::MaxSilence`] in intervals.
	pub fn max_silence() -> u32 {
		T::Grid::intervals_in(T::MaxSilence::get())
	}

	/// What the `on_idle` pass weighs besides its visits: the pass, the meter count and grid
	/// time (timestamp and interval length) read, the pass written.
	pub fn pass_base_weight() -> Weight {
		T::DbWeight::get().reads_writes(4, 1)
	}

	/// The most one visit of the `on_idle` pass may weigh, with the read that finds its
	/// meter: the pass makes a visit only while its limit covers this.
	pub fn max_visit_weight() -> Weight {
		Self::visit_weight(Self::max_visit_work(), Self::max_visit_work())
			.saturating_add(T::DbWeight::get().reads(1))
	}

	/// The `on_idle` pass: visits meters in storage order from where the last visit stopped
	/// (round the end to the first), as long as `limit` covers the worst visit, until every
	/// meter has been visited once in the current interval.
	pub(crate) fn finalize_on_idle(limit: Weight) -> Weight {
		let db = T::DbWeight::get();
		let mut used = Self::pass_base_weight();
		let worst = Self::max_visit_weight();
		if limit.any_lt(used.saturating_add(worst)) {
			return Weight::zero();
		}
		let current = T::Grid::current_interval();
		let mut pass = FinalizePass::<T>::get();
		if pass.interval < current {
			pass = Pass { interval: current, visited: 0, done: false, ..pass };
		}
		if pass.done {
			return db.reads(3);
		}
		let meters = Meters::<T>::count();
		while limit.all_gte(used.saturating_add(worst)) {
			if pass.visited >= meters {
				pass.done = true;
				break;
			}
			let after = pass.after.map(Meters::<T>::hashed_key_for);
			// Past the last meter in storage order: round to the first.
			let next = after
				.and_then(|key| Meters::<T>::iter_from(key).next())
				.or_else(|| Meters::<T>::iter().next());
			let Some((id, mut meter)) = next else {
				pass.done = true;
				break;
			};
			let before = (meter.readings, meter.status);
			let visit = Self::visit(id, &mut meter, current);
			if (meter.readings, meter.status) != before {
				Meters::<T>::insert(id, meter);
			}
			used = used.saturating_add(Self::visited_weight(&visit)).saturating_add(db.reads(1));
			pass.after = Some(id);
			pass.visited = pass.visited.saturating_add(1);
		}
		FinalizePass::<T>::put(pass);
		used
	}

	/// What a visit that was made weighed: as [`Self::visit_weight`], with the handler's
	/// weight as it reported it.
	fn visited_weight(visit: &Visit) -> Weight {
		T::WeightInfo::visit_meter(visit.work())
			.saturating_add(T::DbWeight::get().reads(1))
			.saturating_add(visit.handled)
	}

	/// The most a visit handling `work` intervals of which `finalized` were finalized may
	/// weigh: the visit, the read that found the meter, and the handler's worst case for each
	/// final value.
	pub(crate) fn visit_weight(work: u32, finalized: u32) -> Weight {
		let handler = <T::OnFinal as OnFinalInterval>::weight();
		T::WeightInfo::visit_meter(work)
			.saturating_add(T::DbWeight::get().reads(1))
			.saturating_add(handler.saturating_mul(finalized.into()))
	}

	/// The final record of `meter` in `interval`, if the interval is final and still held.
	pub fn final_record(meter: MeterId, interval: IntervalIndex) -> Option<IntervalRecord> {
		let m = Meters::<T>::get(meter)?;
		(interval <= m.readings.finalized && m.readings.last.is_some())
			.then(|| Self::record(meter, interval))
			.flatten()
	}
}

impl<T: Config> daeg_primitives::consumption::MeteredEnergy for Pallet<T> {
	fn final_energy(meter: MeterId, interval: IntervalIndex) -> Option<IntervalRecord> {
		Self::final_record(meter, interval)
	}

	fn final_day(meter: MeterId, day: DayIndex) -> Option<EnergyTotals> {
		Self::meter_totals(meter, Period::Day(day))
	}
}

impl<T: Config> daeg_primitives::consumption::CarbonIntensities for Pallet<T> {
	fn intensity_of(source: EnergySource) -> CarbonIntensity {
		SourceIntensities::<T>::get(source)
	}
}
