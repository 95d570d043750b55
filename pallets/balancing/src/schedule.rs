//! Balancing each cleared interval (`docs/balancing.md#load-balancing`): the market tells the
//! pallet each zone's result ([`OnCleared`]); each zone's forecast shortfall or surplus and its
//! peak are covered by storage, then demand response, then the links' room left to
//! neighbours; what remains is reported as unserved, curtailed or over the peak. The price and
//! imbalance breakers are checked here.

use crate::{
	dispatch::{self, Action},
	pallet::{Breakers, Config, Event, Pallet, Reports, Schedules, Status, Units, ZoneUnits},
	WeightInfo,
};
use alloc::vec::Vec;
use daeg_primitives::{
	balancing::{Breaker, DemandTrigger, Dispatch, LinkFlow, OnCleared, ZoneReport},
	pricing::{Side, ZoneClearing},
	ring, Energy, Grid, GridClock, IntervalIndex, PricePerKWh, ZoneId,
};
use frame_support::{traits::Get, weights::Weight};
use sp_runtime::Perbill;

/// A zone's balance while the interval is being balanced: the report, and what is left.
struct Plan {
	zone: ZoneId,
	report: ZoneReport,
	/// Shortfall not yet covered.
	short: Energy,
	/// Surplus not yet taken.
	long: Energy,
}

impl<T: Config> OnCleared<T::AccountId> for Pallet<T> {
	fn on_cleared(
		interval: IntervalIndex,
		zones: &[(ZoneId, ZoneClearing)],
		links: &[LinkFlow],
		cap: PricePerKWh,
	) -> Vec<Dispatch<T::AccountId>> {
		let length = T::Grid::interval_length_ms();
		let mut dispatches = Vec::new();
		let mut plans: Vec<Plan> = zones
			.iter()
			.map(|(zone, result)| {
				Self::balance_zone(interval, *zone, result, length, &mut dispatches)
			})
			.collect();
		Self::transfer(&mut plans, links);
		let breakers = Breakers::<T>::get();
		let slot = Self::slot(interval);
		for (plan, (_, result)) in plans.into_iter().zip(zones) {
			let Plan { zone, mut report, short, long } = plan;
			report.unserved = short;
			report.curtailed = long;
			Self::check_breakers(interval, zone, result, &report, cap, &breakers);
			// Meters of the interval may have reported already (a late clearing).
			Reports::<T>::mutate(zone, slot, |entry| {
				let kept = ring::entry(entry, interval);
				*kept = ZoneReport {
					metered_import: kept.metered_import,
					metered_export: kept.metered_export,
					meters: kept.meters,
					anomalous: kept.anomalous,
					..report
				};
			});
			Self::deposit_event(Event::ZoneBalanced { interval, zone, report });
		}
		dispatches
	}

	fn weight() -> Weight {
		T::WeightInfo::on_cleared_zone(T::MaxUnitsPerZone::get(), T::MaxParticipants::get())
			.saturating_mul(<T::Grid as Grid>::MaxZones::get().into())
	}

	fn max_dispatches() -> u32 {
		T::MaxUnitsPerZone::get().saturating_mul(<T::Grid as Grid>::MaxZones::get())
	}
}

impl<T: Config> Pallet<T> {
	/// Covers `zone`'s forecast imbalance and peak in `interval` with its storage (adding the
	/// dispatch to `dispatches`) and demand response.
	fn balance_zone(
		interval: IntervalIndex,
		zone: ZoneId,
		result: &ZoneClearing,
		length: u64,
		dispatches: &mut Vec<Dispatch<T::AccountId>>,
	) -> Plan {
		let status = Status::<T>::get(zone);
		let unmet = result.demanded.saturating_sub(result.bought);
		let unsold = result.offered.saturating_sub(result.sold);
		let (short, long) = (unmet.saturating_sub(unsold), unsold.saturating_sub(unmet));
		let peak = T::Grid::zone(zone).map_or(Energy::ZERO, |spec| {
			result.demanded.saturating_sub(crate::peak::peak_threshold(&spec, length))
		});
		let mut report = ZoneReport {
			demanded: result.demanded,
			offered: result.offered,
			bought: result.bought,
			sold: result.sold,
			short,
			long,
			peak,
			..Default::default()
		};

		// Storage: a peak is shaved by discharging even where the zone is long; a forced
		// discharge delivers everything it can.
		let (discharge, charge) = if status.forced_discharge {
			(Energy(u64::MAX), Energy::ZERO)
		} else if !peak.is_zero() {
			(short.max(peak), Energy::ZERO)
		} else {
			(short, long)
		};
		let (discharged, charged) =
			Self::dispatch_storage(interval, zone, discharge, charge, length, dispatches);
		report.discharged = discharged;
		report.charged = charged;
		let mut short = short.saturating_sub(discharged);
		let long = long.saturating_sub(charged);
		let mut over_peak = peak.saturating_sub(discharged);

		// Demand response for what storage left of the shortfall or the peak.
		let requested = short.max(over_peak);
		if !requested.is_zero() {
			let trigger =
				if over_peak >= short { DemandTrigger::Peak } else { DemandTrigger::Shortfall };
			if let Some(event) = Self::call_event(zone, interval, requested, trigger) {
				report.reduction_requested = event.requested;
				short = short.saturating_sub(event.expected);
				over_peak = over_peak.saturating_sub(event.expected);
			}
		}
		report.over_peak = over_peak;
		Plan { zone, report, short, long }
	}

	/// Schedules `zone`'s units to discharge up to `discharge` or charge up to `charge` in
	/// `interval`, in id order, and adds their dispatch. Returns the energy scheduled each way.
	fn dispatch_storage(
		interval: IntervalIndex,
		zone: ZoneId,
		discharge: Energy,
		charge: Energy,
		length: u64,
		dispatches: &mut Vec<Dispatch<T::AccountId>>,
	) -> (Energy, Energy) {
		if discharge.is_zero() && charge.is_zero() {
			return (Energy::ZERO, Energy::ZERO);
		}
		let units: Vec<_> = ZoneUnits::<T>::get(zone)
			.into_iter()
			.filter_map(|id| Units::<T>::get(id).map(|u| (id, u)))
			.collect();
		let states: Vec<_> = units.iter().map(|(_, u)| u.state()).collect();
		let (actions, _) = dispatch::dispatch(&states, discharge, charge, length);
		let slot = Self::slot(interval);
		let (mut discharged, mut charged) = (Energy::ZERO, Energy::ZERO);
		for ((id, mut unit), action) in units.into_iter().zip(actions) {
			let (side, energy) = match action {
				Action::Idle => continue,
				Action::Discharge(e) => {
					discharged = discharged.saturating_add(e);
					(Side::Sell, e)
				}
				Action::Charge(e) => {
					charged = charged.saturating_add(e);
					(Side::Buy, e)
				}
			};
			unit.spec.charge = unit.state().after(action);
			Schedules::<T>::insert(id, slot, (interval, action));
			dispatches.push(Dispatch {
				owner: unit.owner.clone(),
				meter: unit.spec.meter,
				zone,
				side,
				energy,
			});
			Units::<T>::insert(id, unit);
			Self::deposit_event(Event::Scheduled { interval, unit: id, action });
		}
		(discharged, charged)
	}

	/// Covers what is left short in each zone from neighbours left long, over the links' room
	/// left after the auction, zones in order.
	fn transfer(plans: &mut [Plan], links: &[LinkFlow]) {
		let mut used: Vec<(Energy, Energy)> = links.iter().map(|_| Default::default()).collect();
		for s in 0..plans.len() {
			for (l, link) in links.iter().enumerate() {
				let Some(short_zone) = plans.get(s).map(|p| p.zone) else { break };
				let Some(other) = link.across(short_zone) else { continue };
				let Some(n) = plans.iter().position(|p| p.zone == other) else { continue };
				let (Some(need), Some(spare)) =
					(plans.get(s).map(|p| p.short), plans.get(n).map(|p| p.long))
				else {
					continue;
				};
				// Room from `other` to the short zone, less what earlier transfers took.
				let Some(u) = used.get_mut(l) else { continue };
				let taken = if other == link.a { &mut u.0 } else { &mut u.1 };
				let room = link.room_from(other).saturating_sub(*taken);
				let moved = need.min(spare).min(room);
				if moved.is_zero() {
					continue;
				}
				*taken = taken.saturating_add(moved);
				if let Some(p) = plans.get_mut(s) {
					p.short = p.short.saturating_sub(moved);
					p.report.transferred_in = p.report.transferred_in.saturating_add(moved);
				}
				if let Some(p) = plans.get_mut(n) {
					p.long = p.long.saturating_sub(moved);
					p.report.transferred_out = p.report.transferred_out.saturating_add(moved);
				}
			}
		}
	}

	/// Counts intervals at the cap and trips the price and imbalance breakers of `zone`.
	fn check_breakers(
		interval: IntervalIndex,
		zone: ZoneId,
		result: &ZoneClearing,
		report: &ZoneReport,
		cap: PricePerKWh,
		breakers: &daeg_primitives::balancing::BreakerSettings,
	) {
		let mut status = Status::<T>::get(zone);
		let before = status;
		let cap = status.cap.map_or(cap, |c| c.min(cap));
		status.at_cap = match result.price {
			Some(p) if p >= cap => status.at_cap.saturating_add(1),
			_ => 0,
		};
		if breakers.cap_intervals.is_some_and(|n| n > 0 && status.at_cap >= n) {
			Self::trip(zone, &mut status, interval, Breaker::PriceAtCap);
		}
		let residual = report.unserved.saturating_add(report.curtailed);
		if let Some(share) = breakers.imbalance_share {
			let load = report.demanded;
			if !load.is_zero() && Perbill::from_rational(residual.0, load.0) > share {
				Self::trip(zone, &mut status, interval, Breaker::Imbalance);
			}
		}
		if status != before {
			Status::<T>::insert(zone, status);
		}
	}
}
