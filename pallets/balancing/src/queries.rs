//! What the `balancing_*` RPC methods answer (through the runtime's `BalancingApi`).

use crate::{
	pallet::{Config, DemandEvents, Programs, Reports, Schedules, Status, Units},
	Pallet, StorageUnit,
};
use alloc::vec::Vec;
use daeg_primitives::{
	balancing::{Action, DemandEvent, UnitView, ZoneReport, ZoneView},
	pricing::MAX_QUERY_INTERVALS,
	ring, Grid, IntervalIndex, UnitId, ZoneId,
};
use frame_support::traits::Get;

impl<T: Config> Pallet<T> {
	/// Every zone's limits, emergency state and program.
	pub fn zones() -> Vec<ZoneView> {
		T::Grid::zones()
			.map(|zone| ZoneView {
				zone,
				spec: T::Grid::zone(zone),
				status: Status::<T>::get(zone),
				program: Programs::<T>::get(zone),
			})
			.collect()
	}

	/// Every unit of `zone` (or of all zones), in id order.
	pub fn units(zone: Option<ZoneId>) -> Vec<UnitView<T::AccountId>> {
		let mut units: Vec<_> = Units::<T>::iter()
			.filter(|(_, u)| zone.is_none_or(|z| u.zone == z))
			.map(|(unit, StorageUnit { owner, zone, spec })| UnitView {
				unit,
				owner,
				zone,
				meter: spec.meter,
				capacity: spec.capacity,
				charge: spec.charge,
				max_charge: spec.max_charge,
				max_discharge: spec.max_discharge,
				efficiency: spec.efficiency,
			})
			.collect();
		units.sort_by_key(|u| u.unit);
		units
	}

	/// Each unit's schedule for `interval`, while it is kept (until its meter's value is final).
	pub fn schedule(interval: IntervalIndex) -> Vec<(UnitId, Action)> {
		let slot = Self::slot(interval);
		let mut schedule: Vec<_> = Units::<T>::iter_keys()
			.filter_map(|unit| {
				ring::kept(Schedules::<T>::get(unit, slot), interval).map(|a| (unit, a))
			})
			.collect();
		schedule.sort_by_key(|(unit, _)| *unit);
		schedule
	}

	/// `zone`'s reports from `from` to `to` (the kept ones).
	pub fn reports(
		zone: ZoneId,
		from: IntervalIndex,
		to: IntervalIndex,
	) -> Vec<(IntervalIndex, ZoneReport)> {
		Self::kept(from, to, |i| ring::kept(Reports::<T>::get(zone, Self::slot(i)), i))
	}

	/// `zone`'s demand-response events from `from` to `to` (the kept ones).
	pub fn demand_events(
		zone: ZoneId,
		from: IntervalIndex,
		to: IntervalIndex,
	) -> Vec<(IntervalIndex, DemandEvent)> {
		Self::kept(from, to, |i| ring::kept(DemandEvents::<T>::get(zone, Self::slot(i)), i))
	}

	/// What `get` keeps for each interval from `from` to `to`, at most the rings' length and
	/// [`MAX_QUERY_INTERVALS`].
	fn kept<V>(
		from: IntervalIndex,
		to: IntervalIndex,
		get: impl Fn(IntervalIndex) -> Option<V>,
	) -> Vec<(IntervalIndex, V)> {
		let most = T::HistoryIntervals::get().min(MAX_QUERY_INTERVALS);
		(from.0..=to.0)
			.take(most as usize)
			.map(IntervalIndex)
			.filter_map(|i| get(i).map(|v| (i, v)))
			.collect()
	}
}
