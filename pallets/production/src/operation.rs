//! What a facility's final meter values drive: production metrics, certificates of origin
//! ([`crate::certificates`]), the efficiency check and overdue maintenance; and the facility's
//! maintenance windows.

use crate::{
	pallet::{
		Config, Efficiency, Error, Event, Facilities, FacilityDays, FacilityOfMeter, Maintenance,
		Operation, Pallet, SourceParams, SourceZoneDays, UnpaidPremium,
	},
	FacilityOf, FacilityOperation, WeightInfo,
};
use alloc::vec::Vec;
use daeg_primitives::{
	consumption::{IntervalRecord, OnFinalInterval},
	production::{
		Certification, FacilityInfo, FacilityRegistry, FacilityStatus, MaintenanceWindow,
		ProductionDay,
	},
	ring, DayIndex, Energy, FacilityId, GridClock, MeterId,
};
use frame_support::{pallet_prelude::*, weights::Weight};
use sp_runtime::SaturatedConversion;

impl<T: Config> Pallet<T> {
	/// Counts a final interval of a facility's meter in its production days and in its
	/// source's and zone's.
	fn count_production(facility: FacilityId, f: &FacilityOf<T>, record: &IntervalRecord) {
		let Some(day) = record.interval.day(T::Grid::interval_length_ms()) else { return };
		let slot = Self::day_slot(day);
		let interval = ProductionDay {
			energy: record.exported,
			intervals: 1,
			producing: u32::from(!record.exported.is_zero()),
			estimated: u32::from(record.quality.is_estimated()),
		};
		FacilityDays::<T>::mutate(facility, slot, |entry| ring::entry(entry, day).merge(&interval));
		SourceZoneDays::<T>::mutate((slot, f.spec.source, f.spec.zone), |entry| {
			let e = ring::entry(entry, day);
			*e = e.saturating_add(record.exported);
		});
	}

	/// Adds a final interval to the facility's efficiency window; when the window is full,
	/// compares its output with the expected output and flags or unflags the facility.
	fn check_efficiency(
		facility: FacilityId,
		f: &FacilityOf<T>,
		op: &mut FacilityOperation,
		exported: Energy,
	) {
		let Some(rule) = Efficiency::<T>::get() else { return };
		let factor =
			SourceParams::<T>::get(f.spec.source).unwrap_or_default().typical_capacity_factor;
		if factor.is_zero() {
			return;
		}
		op.window_intervals = op.window_intervals.saturating_add(1);
		op.window_energy = op.window_energy.saturating_add(exported);
		if op.window_intervals < rule.intervals {
			return;
		}
		let span = T::Grid::interval_length_ms().saturating_mul(op.window_intervals.into());
		let ceiling = f.spec.capacity.energy_over(span).unwrap_or(Energy(u64::MAX));
		let expected = Energy(factor.mul_floor(ceiling.0));
		let low = op.window_energy.0 < rule.share.mul_floor(expected.0);
		let measured = op.window_energy;
		if low && !op.low_output {
			Self::deposit_event(Event::LowOutput { facility, measured, expected });
		} else if !low && op.low_output {
			Self::deposit_event(Event::OutputRecovered { facility, measured, expected });
		}
		op.low_output = low;
		op.window_intervals = 0;
		op.window_energy = Energy::ZERO;
	}

	/// Retires the facility's maintenance windows that have ended (it counts as maintained on
	/// the last one's final day) and reports maintenance that is overdue, once.
	fn check_maintenance(facility: FacilityId, f: &FacilityOf<T>, op: &mut FacilityOperation) {
		let now = T::Grid::now_ms();
		Maintenance::<T>::mutate(facility, |windows| {
			Self::retire_ended(facility, windows, op, now)
		});
		let Some(due) = Self::maintenance_due(f, op) else { return };
		if DayIndex::at(now) > due && !op.overdue_reported {
			op.overdue_reported = true;
			Self::deposit_event(Event::MaintenanceOverdue { facility, due });
		}
	}

	/// The day a facility must be maintained by, if its source has a maintenance interval.
	fn maintenance_due(f: &FacilityOf<T>, op: &FacilityOperation) -> Option<DayIndex> {
		let days = SourceParams::<T>::get(f.spec.source)?.maintenance_interval_days?;
		Some(DayIndex(op.last_maintained.0.saturating_add(days)))
	}

	/// Removes the windows that ended by `now`, each with an event; the facility was
	/// maintained on the day the latest ended.
	fn retire_ended(
		facility: FacilityId,
		windows: &mut BoundedVec<MaintenanceWindow, T::MaxMaintenanceWindows>,
		op: &mut FacilityOperation,
		now: u64,
	) {
		windows.retain(|w| {
			if w.end_ms > now {
				return true;
			}
			// The window is [start, end): its last moment lies on the day of `end - 1`.
			let day = DayIndex::at(w.end_ms.saturating_sub(1));
			op.last_maintained = op.last_maintained.max(day);
			op.overdue_reported = false;
			Self::deposit_event(Event::MaintenanceCompleted { facility, window: *w });
			false
		});
	}

	/// Adds a maintenance window to a facility's plan, in order of start, after retiring the
	/// windows that have ended.
	pub(crate) fn add_window(facility: FacilityId, window: MaintenanceWindow) -> DispatchResult {
		let mut op = Operation::<T>::get(facility).ok_or(Error::<T>::UnknownFacility)?;
		Maintenance::<T>::try_mutate(facility, |windows| {
			Self::retire_ended(facility, windows, &mut op, T::Grid::now_ms());
			ensure!(!windows.iter().any(|w| w.overlaps(&window)), Error::<T>::WindowOverlaps);
			let at = windows.iter().position(|w| w.start_ms > window.start_ms);
			let at = at.unwrap_or(windows.len());
			windows.try_insert(at, window).map_err(|_| Error::<T>::TooManyWindows)?;
			Ok::<_, DispatchError>(())
		})?;
		Operation::<T>::insert(facility, op);
		Ok(())
	}

	/// How a facility is operating now; `None` for an unknown facility.
	pub fn facility_status(facility: FacilityId) -> Option<FacilityStatus> {
		let f = Facilities::<T>::get(facility)?;
		let op = Operation::<T>::get(facility).unwrap_or_default();
		let now = T::Grid::now_ms();
		Some(FacilityStatus {
			may_sell: Self::may_sell(facility, now),
			maintenance: Maintenance::<T>::get(facility)
				.into_iter()
				.filter(|w| w.end_ms > now)
				.collect(),
			last_maintained: op.last_maintained,
			maintenance_due: Self::maintenance_due(&f, &op),
			low_output: op.low_output,
			metered_renewable: op.metered_renewable,
			certified: op.certified,
			unpaid_premium: UnpaidPremium::<T>::get(&f.owner).saturated_into(),
		})
	}

	/// Facilities whose maintenance is overdue today, with the day it was due.
	pub fn overdue_maintenance() -> Vec<(FacilityId, DayIndex)> {
		let today = DayIndex::at(T::Grid::now_ms());
		Facilities::<T>::iter()
			.filter_map(|(id, f)| {
				let op = Operation::<T>::get(id).unwrap_or_default();
				let due = Self::maintenance_due(&f, &op)?;
				(today > due).then_some((id, due))
			})
			.collect()
	}
}

#[cfg(any(feature = "try-runtime", feature = "std", test))]
impl<T: Config> Pallet<T> {
	/// Every facility has its operation and nothing else does; maintenance windows are
	/// non-empty, no longer than allowed, in order and apart, and belong to facilities.
	pub(crate) fn try_state_operation() -> Result<(), sp_runtime::TryRuntimeError> {
		for (id, _) in Operation::<T>::iter() {
			ensure!(Facilities::<T>::contains_key(id), "the operation of an unknown facility");
		}
		for (id, windows) in Maintenance::<T>::iter() {
			ensure!(Facilities::<T>::contains_key(id), "maintenance of an unknown facility");
			for w in windows.iter() {
				ensure!(w.start_ms < w.end_ms, "an empty maintenance window");
				ensure!(
					w.end_ms.saturating_sub(w.start_ms) <= T::MaxMaintenanceLength::get(),
					"a maintenance window too long"
				);
			}
			for pair in windows.windows(2) {
				if let [a, b] = pair {
					ensure!(
						a.end_ms <= b.start_ms,
						"maintenance windows out of order or overlapping"
					);
				}
			}
		}
		Ok(())
	}
}

impl<T: Config> OnFinalInterval for Pallet<T> {
	/// Counts a final value of a facility's meter as the facility's production, gathers it
	/// for certificates, and checks the facility's efficiency and maintenance. A meter that
	/// measures no facility costs the one read that finds so (most meters).
	fn on_final(meter: MeterId, record: &IntervalRecord) -> Weight {
		let Some(facility) = FacilityOfMeter::<T>::get(meter) else {
			return T::DbWeight::get().reads(1);
		};
		if let Some(f) = Facilities::<T>::get(facility) {
			Self::count_production(facility, &f, record);
			if let Some(mut op) = Operation::<T>::get(facility) {
				Self::gather_certifiable(facility, &f, &mut op, record);
				Self::check_efficiency(facility, &f, &mut op, record.exported);
				Self::check_maintenance(facility, &f, &mut op);
				Operation::<T>::insert(facility, op);
			}
		}
		T::WeightInfo::on_final_interval()
	}

	fn weight() -> Weight {
		T::WeightInfo::on_final_interval()
	}
}

impl<T: Config> FacilityRegistry<T::AccountId> for Pallet<T> {
	fn facility(id: FacilityId) -> Option<FacilityInfo<T::AccountId>> {
		Facilities::<T>::get(id).map(|f| FacilityInfo {
			owner: f.owner,
			source: f.spec.source,
			capacity: f.spec.capacity,
			zone: f.spec.zone,
			meter: f.spec.meter,
		})
	}

	fn may_sell(id: FacilityId, at_ms: u64) -> bool {
		let certified = Facilities::<T>::get(id).is_some_and(
			|f| matches!(f.certification, Certification::Certified { until_ms, .. } if at_ms < until_ms),
		);
		certified && !Maintenance::<T>::get(id).iter().any(|w| w.covers(at_ms))
	}
}
