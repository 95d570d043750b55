//! What the meters measured (the consumption pallet's finalization pass, [`OnFinalInterval`]):
//! each zone's metered position and anomalies (the anomalous-meter breaker, the metered peak),
//! load by priority class (for shedding), each unit's state of charge, and demand-response
//! verification.

use crate::{
	pallet::{
		Breakers, ClassLoads, Config, Enrollments, Event, Pallet, Reports, Schedules, Status,
		UnitOfMeter, Units,
	},
	WeightInfo,
};
use daeg_primitives::{
	balancing::{Action, Breaker, DemandTrigger},
	consumption::{
		ConsumerProfiles, DispatchedEnergy, IntervalRecord, MeterRegistry, OnFinalInterval,
	},
	ring, Energy, Grid, GridClock, IntervalIndex, MeterId, UnitId, ZoneId,
};
use frame_support::{traits::Get, weights::Weight};
use sp_runtime::Perbill;

/// A unit's meter judged against its schedule: what it was dispatched to draw or deliver in
/// an interval, while the schedule is kept (until the meter's value is final).
impl<T: Config> DispatchedEnergy for Pallet<T> {
	fn dispatched(meter: MeterId, interval: IntervalIndex) -> Option<(Energy, Energy)> {
		let unit = UnitOfMeter::<T>::get(meter)?;
		match ring::kept(Schedules::<T>::get(unit, Self::slot(interval)), interval)? {
			Action::Idle => None,
			Action::Charge(e) => Some((e, Energy::ZERO)),
			Action::Discharge(e) => Some((Energy::ZERO, e)),
		}
	}

	fn weight() -> Weight {
		T::DbWeight::get().reads(2)
	}
}

impl<T: Config> OnFinalInterval for Pallet<T> {
	fn on_final(meter: MeterId, record: &IntervalRecord) -> Weight {
		let Some(info) = T::Meters::meter(meter) else {
			return T::DbWeight::get().reads(1);
		};
		Self::note_metered(info.zone, record);
		if record.imported > Energy::ZERO {
			Self::note_class_load(info.zone, T::Consumers::priority(&info.owner), record);
		}
		if let Some(unit) = UnitOfMeter::<T>::get(meter) {
			Self::measure_unit(unit, record);
			return T::WeightInfo::on_final_unit();
		}
		if let Some(e) = Enrollments::<T>::get(meter) {
			Self::verify(meter, e, record);
			return T::WeightInfo::on_final_participant();
		}
		T::WeightInfo::on_final_meter()
	}

	fn weight() -> Weight {
		T::WeightInfo::on_final_unit()
			.max(T::WeightInfo::on_final_participant())
			.max(T::WeightInfo::on_final_meter())
	}
}

impl<T: Config> Pallet<T> {
	/// Adds `record` to its zone's metered position; trips the anomalous-meter breaker, and
	/// calls demand response for the next interval when metered load first crosses the peak.
	fn note_metered(zone: ZoneId, record: &IntervalRecord) {
		let interval = record.interval;
		let slot = Self::slot(interval);
		let report = Reports::<T>::mutate(zone, slot, |entry| {
			let r = ring::entry(entry, interval);
			r.metered_import = r.metered_import.saturating_add(record.imported);
			r.metered_export = r.metered_export.saturating_add(record.exported);
			r.meters = r.meters.saturating_add(1);
			if record.anomaly.is_some() {
				r.anomalous = r.anomalous.saturating_add(1);
			}
			*r
		});
		let breakers = Breakers::<T>::get();
		if let Some(share) = breakers.anomalous_share {
			let enough = report.meters >= breakers.min_meters.max(1);
			if enough && Perbill::from_rational(report.anomalous, report.meters) > share {
				let mut status = Status::<T>::get(zone);
				if Self::trip(zone, &mut status, interval, Breaker::AnomalousMeters) {
					Status::<T>::insert(zone, status);
				}
			}
		}
		let length = T::Grid::interval_length_ms();
		if let Some(spec) = T::Grid::zone(zone) {
			let threshold = crate::peak::peak_threshold(&spec, length);
			let before = report.metered_import.saturating_sub(record.imported);
			if before <= threshold && report.metered_import > threshold {
				// The next interval has not started: its participants can still act.
				let next = T::Grid::current_interval().checked_add(1).unwrap_or(interval);
				let over = report.metered_import.saturating_sub(threshold);
				Self::call_event(zone, next, over, DemandTrigger::MeteredPeak);
			}
		}
	}

	/// Adds `record`'s import to `zone`'s load of `class` in its interval.
	fn note_class_load(
		zone: ZoneId,
		class: daeg_primitives::consumption::PriorityClass,
		record: &IntervalRecord,
	) {
		ClassLoads::<T>::mutate(zone, |entry| {
			let (interval, current, last) =
				entry.get_or_insert((record.interval, Default::default(), Default::default()));
			if record.interval > *interval {
				*last = if record.interval.0 == interval.0.saturating_add(1) {
					*current
				} else {
					Default::default()
				};
				*current = Default::default();
				*interval = record.interval;
			}
			if record.interval == *interval {
				if let Some(load) = current.get_mut(class as usize) {
					*load = load.saturating_add(record.imported);
				}
			}
		});
	}

	/// `unit`'s meter value for `record`'s interval is final: its state of charge follows what
	/// the meter measured instead of what was scheduled (within zero and its capacity).
	fn measure_unit(id: UnitId, record: &IntervalRecord) {
		let Some(mut unit) = Units::<T>::get(id) else { return };
		let slot = Self::slot(record.interval);
		let scheduled =
			ring::kept(Schedules::<T>::take(id, slot), record.interval).unwrap_or(Action::Idle);
		let efficiency = unit.spec.efficiency;
		let stored = |e: Energy| i128::from(efficiency.mul_floor(e.0));
		let expected = match scheduled {
			Action::Idle => 0,
			Action::Charge(e) => stored(e),
			Action::Discharge(e) => -i128::from(e.0),
		};
		let measured = stored(record.imported).saturating_sub(i128::from(record.exported.0));
		let charge = i128::from(unit.spec.charge.0)
			.saturating_add(measured)
			.saturating_sub(expected)
			.clamp(0, i128::from(unit.spec.capacity.0));
		unit.spec.charge = Energy(u64::try_from(charge).unwrap_or(0));
		let charge = unit.spec.charge;
		Units::<T>::insert(id, unit);
		Self::deposit_event(Event::ChargeMeasured {
			interval: record.interval,
			unit: id,
			scheduled,
			imported: record.imported,
			exported: record.exported,
			charge,
		});
	}
}
