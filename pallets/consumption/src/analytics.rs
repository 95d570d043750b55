//! What the `ConsumptionApi` runtime API answers: intervals, day and month reports, typical days
//! and carbon footprints of meters and accounts; and the ledger of purchases by source that the
//! market fills in at settlement.
//!
//! Every answer reads a bounded amount of storage: at most a history's worth of intervals, and
//! one day or month slot per meter of an account (at most [`Config::MaxMetersPerOwner`]).

use crate::{
	figures,
	pallet::{
		Config, DayTotals, Meters, MetersOf, MonthTotals, Pallet, Profiles, Purchases,
		ResidualIntensity, SourceIntensities,
	},
	SourceMix, WeightInfo,
};
use alloc::vec::Vec;
use daeg_primitives::{
	consumption::PurchaseLedger,
	consumption::{EnergyReport, EnergyTotals, Footprint, HourlyEnergy, MeteredInterval, Period},
	ring, DayIndex, Energy, EnergySource, GridClock, IntervalIndex, MeterId,
};
use frame_support::weights::Weight;

impl<T: Config> Pallet<T> {
	/// A meter's intervals from `from` to `to` inclusive that its history holds; at most a
	/// history's length of intervals, the latest ones of the range.
	pub fn intervals(
		meter: MeterId,
		from: IntervalIndex,
		to: IntervalIndex,
	) -> Vec<MeteredInterval> {
		let Some(m) = Meters::<T>::get(meter) else { return Vec::new() };
		let span = Self::history_length().saturating_sub(1);
		let from = from.max(to.saturating_sub(span));
		(from.0..=to.0)
			.filter_map(|t| Self::record(meter, IntervalIndex(t)))
			.map(|record| MeteredInterval {
				is_final: record.interval <= m.readings.finalized,
				record,
			})
			.collect()
	}

	/// A meter's totals over `period`, if it is kept.
	pub fn meter_totals(meter: MeterId, period: Period) -> Option<EnergyTotals> {
		match period {
			Period::Day(day) => ring::kept(DayTotals::<T>::get(meter, Self::day_slot(day)), day),
			Period::Month(month) => {
				ring::kept(MonthTotals::<T>::get(meter, Self::month_slot(month)), month)
			}
		}
	}

	/// A meter's report over `period`; `None` for an unknown meter or a period not kept.
	pub fn meter_report(meter: MeterId, period: Period) -> Option<EnergyReport> {
		if !Meters::<T>::contains_key(meter) {
			return None;
		}
		Self::meter_totals(meter, period)
			.map(|t| figures::report(&t, T::Grid::interval_length_ms()))
	}

	/// The totals of all of `who`'s meters over `period`.
	fn account_totals(who: &T::AccountId, period: Period) -> EnergyTotals {
		let mut sum = EnergyTotals::default();
		for meter in MetersOf::<T>::get(who) {
			if let Some(t) = Self::meter_totals(meter, period) {
				sum.merge(&t);
			}
		}
		sum
	}

	/// The report of all of `who`'s meters over `period`.
	pub fn account_report(who: &T::AccountId, period: Period) -> EnergyReport {
		figures::report(&Self::account_totals(who, period), T::Grid::interval_length_ms())
	}

	/// A meter's typical day, hour by hour; `None` for an unknown meter.
	pub fn daily_profile(meter: MeterId) -> Option<Vec<HourlyEnergy>> {
		Meters::<T>::contains_key(meter)
			.then(|| figures::hourly(&Profiles::<T>::get(meter), T::Grid::interval_length_ms()))
	}

	/// What `who` bought on `day`, by source.
	pub fn purchases(who: &T::AccountId, day: DayIndex) -> SourceMix {
		ring::kept(Purchases::<T>::get(who, Self::day_slot(day)), day).unwrap_or_default()
	}

	/// `who`'s carbon footprint on `day`: what its meters imported, attributed first to what
	/// it bought by source (scaled down pro rata if it bought more than it consumed), the rest
	/// at the residual-mix intensity. Uses the intensities governance sets now.
	pub fn carbon_footprint(who: &T::AccountId, day: DayIndex) -> Footprint {
		let consumed = Self::account_totals(who, Period::Day(day)).imported;
		let bought = Self::purchases(who, day);
		let total: u128 = bought.iter().map(|e| u128::from(e.0)).sum();
		let scale = |e: Energy| -> Energy {
			if total <= u128::from(consumed.0) {
				return e;
			}
			let part = u128::from(e.0).saturating_mul(consumed.0.into()).checked_div(total);
			Energy(part.and_then(|p| u64::try_from(p).ok()).unwrap_or(0))
		};
		let mut footprint = Footprint { day, consumed, ..Default::default() };
		let mut attributed = Energy::ZERO;
		for (source, energy) in EnergySource::ALL.iter().zip(bought.iter()) {
			let e = scale(*energy);
			if e.is_zero() {
				continue;
			}
			attributed = attributed.saturating_add(e);
			let co2 = SourceIntensities::<T>::get(source).emissions_of(e);
			footprint.co2 = footprint.co2.saturating_add(co2);
			footprint.bought.push((*source, e));
		}
		footprint.residual = consumed.saturating_sub(attributed);
		let residual = ResidualIntensity::<T>::get().emissions_of(footprint.residual);
		footprint.co2 = footprint.co2.saturating_add(residual);
		footprint
	}
}

impl<T: Config> PurchaseLedger<T::AccountId> for Pallet<T> {
	fn note_purchase(
		buyer: &T::AccountId,
		interval: IntervalIndex,
		source: EnergySource,
		energy: Energy,
	) {
		let Some(day) = interval.day(T::Grid::interval_length_ms()) else { return };
		let Some(position) = EnergySource::ALL.iter().position(|s| *s == source) else { return };
		Purchases::<T>::mutate(buyer, Self::day_slot(day), |entry| {
			if let Some(e) = ring::entry(entry, day).get_mut(position) {
				*e = e.saturating_add(energy);
			}
		});
	}

	fn note_purchase_weight() -> Weight {
		T::WeightInfo::note_purchase()
	}
}
