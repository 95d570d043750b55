//! Demand response (`docs/balancing.md#demand-response`): calling participants for an
//! interval, and verifying and rewarding what they reduced.
//!
//! **Baseline rule.** A participant's baseline for an event interval is the average of its
//! meter's measured imports in its latest [`Config::BaselineIntervals`] intervals without an
//! event ("meter before"); estimated values (interpolated or substituted) neither enter a
//! baseline nor verify a reduction. Its verified reduction is `baseline − metered import`, at
//! most its enrolled flexible power over the interval, rewarded at the program's price from the
//! market's pot. Too few measured intervals, an estimated value, or no reduction: no reward.

use crate::{
	pallet::{Called, Config, DemandEvents, Enrollments, Event, Participants, Programs},
	EnrollmentOf, Pallet, Unverified,
};
use daeg_primitives::{
	balancing::{DemandEvent, DemandTrigger, MarketFund},
	consumption::{IntervalRecord, Quality},
	ring, Energy, GridClock, IntervalIndex, MeterId, Rounding, ZoneId,
};
use frame_support::traits::Get;

impl<T: Config> Pallet<T> {
	/// Calls `zone`'s participants for `interval`, in enrollment order, until their flexible
	/// load covers `requested` (each at most its hours a day). An interval already called
	/// keeps its event. Returns the interval's event (`None`: nobody could be called).
	pub(crate) fn call_event(
		zone: ZoneId,
		interval: IntervalIndex,
		requested: Energy,
		trigger: DemandTrigger,
	) -> Option<DemandEvent> {
		let slot = Self::slot(interval);
		if let Some(event) = ring::kept(DemandEvents::<T>::get(zone, slot), interval) {
			return Some(event);
		}
		let price = Programs::<T>::get(zone)?;
		let length = T::Grid::interval_length_ms();
		let day = interval.day(length).unwrap_or_default();
		let per_hour = T::Grid::intervals_in(3_600_000);
		let (mut expected, mut participants) = (Energy::ZERO, 0u32);
		for meter in Participants::<T>::get(zone) {
			if expected >= requested {
				break;
			}
			let Some(mut e) = Enrollments::<T>::get(meter) else { continue };
			let used = if e.called.0 == day { e.called.1 } else { 0 };
			if used >= u32::from(e.flexible.max_hours_per_day).saturating_mul(per_hour) {
				continue;
			}
			e.called = (day, used.saturating_add(1));
			expected = expected
				.saturating_add(e.flexible.power.energy_over(length).unwrap_or(Energy::ZERO));
			participants = participants.saturating_add(1);
			Enrollments::<T>::insert(meter, e);
			Called::<T>::insert(meter, slot, interval);
		}
		if participants == 0 {
			return None;
		}
		let event = DemandEvent { requested, expected, price, trigger, ..Default::default() };
		DemandEvents::<T>::insert(zone, slot, (interval, event));
		Self::deposit_event(Event::DemandResponseCalled { interval, zone, event, participants });
		Some(event)
	}

	/// `record` of enrolled `meter` is final: verifies and rewards its reduction if it was
	/// called for the interval, or else adds a measured value to its baseline.
	pub(crate) fn verify(meter: MeterId, mut e: EnrollmentOf<T>, record: &IntervalRecord) {
		let interval = record.interval;
		let slot = Self::slot(interval);
		let measured = record.quality == Quality::Measured;
		if Called::<T>::take(meter, slot) != Some(interval) {
			if measured {
				if e.recent.is_full() {
					e.recent.remove(0);
				}
				let _ = e.recent.try_push(record.imported);
				Enrollments::<T>::insert(meter, e);
			}
			return;
		}
		let who = e.owner.clone();
		let unverified = |reason| {
			Self::deposit_event(Event::ReductionUnverified {
				interval,
				meter,
				who: who.clone(),
				reason,
			})
		};
		if !measured {
			return unverified(Unverified::NotMeasured);
		}
		let samples = e.recent.len() as u64;
		if samples < u64::from(T::BaselineIntervals::get()) {
			return unverified(Unverified::NoBaseline);
		}
		let total = e.recent.iter().fold(0u64, |t, x| t.saturating_add(x.0));
		let baseline = Energy(total.checked_div(samples).unwrap_or(0));
		let most = e.flexible.power.energy_over(T::Grid::interval_length_ms()).unwrap_or_default();
		let reduction = baseline.saturating_sub(record.imported).min(most);
		if reduction.is_zero() {
			return unverified(Unverified::NoReduction);
		}
		let Some((_, mut event)) =
			DemandEvents::<T>::get(e.zone, slot).filter(|(i, _)| *i == interval)
		else {
			return;
		};
		let reward = event.price.cost_of(reduction, Rounding::Down).unwrap_or(0);
		T::Fund::pay(&who, reward);
		event.verified = event.verified.saturating_add(reduction);
		event.rewarded = event.rewarded.saturating_add(reward);
		DemandEvents::<T>::insert(e.zone, slot, (interval, event));
		Self::deposit_event(Event::ReductionVerified {
			interval,
			meter,
			who,
			baseline,
			metered: record.imported,
			reduction,
			reward,
		});
	}
}
