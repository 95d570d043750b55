//! What the runtime API (`PricingApi`, the `pricing_*` RPC methods) answers: read-only, never
//! called from a block.

use crate::pallet::{
	Arrears, Book, Clearings, Config, Flows, HoldReason, Imbalance, Limits, NextToClear,
	NextToSettle, Owed, Pallet, Quarantine, Statements, Tariff,
};
use alloc::{collections::btree_map::BTreeMap, vec::Vec};
use daeg_primitives::{
	pricing::{
		AccountStatements, BookDepth, ForecastPrice, IntervalClearing, MarketStatus, PriceLevel,
		Quarantined, Side, ZoneClearing, MAX_QUERY_INTERVALS,
	},
	DayIndex, Energy, GridClock, IntervalIndex, MeterId, PricePerKWh, ZoneId,
};
use frame_support::traits::{fungible::InspectHold, Get};
use sp_runtime::SaturatedConversion;

impl<T: Config> Pallet<T> {
	/// The meter intervals held out of settlement, oldest first (at most
	/// [`MAX_QUERY_INTERVALS`]).
	pub fn quarantined() -> Vec<(IntervalIndex, MeterId, Quarantined<T::AccountId>)> {
		let mut held: Vec<_> = Quarantine::<T>::iter().take(MAX_QUERY_INTERVALS as usize).collect();
		held.sort_by_key(|(interval, meter, _)| (*interval, *meter));
		held
	}

	/// Where the market stands.
	pub fn status() -> MarketStatus {
		let current = T::Grid::current_interval();
		let limits = Limits::<T>::get();
		MarketStatus {
			now_ms: T::Grid::now_ms(),
			time_scale: T::Grid::time_scale(),
			interval_length_ms: T::Grid::interval_length_ms(),
			current,
			first_open: IntervalIndex(
				current.0.saturating_add(T::GateClosureIntervals::get()).saturating_add(1),
			),
			next_to_clear: NextToClear::<T>::get(),
			next_to_settle: NextToSettle::<T>::get(),
			floor: limits.floor,
			cap: limits.cap,
			imbalance: Imbalance::<T>::get(),
			tariff: Tariff::<T>::get(),
			pot: T::Currency::balance_on_hold(&HoldReason::Pot.into(), &T::MarketAccount::get())
				.saturated_into(),
		}
	}

	/// `zone`'s results from `from` to `to` (at most [`MAX_QUERY_INTERVALS`]); an interval the
	/// auction did not reach has no price and the tariff without a market.
	pub fn prices(
		zone: ZoneId,
		from: IntervalIndex,
		to: IntervalIndex,
	) -> Vec<(IntervalIndex, ZoneClearing)> {
		queried(from, to)
			.map(|i| {
				let result = Clearings::<T>::get(i, zone).unwrap_or_else(|| ZoneClearing {
					tariff: Self::tariff_without_market(i, zone),
					..Default::default()
				});
				(i, result)
			})
			.collect()
	}

	/// What the weather indicates for `zone` from `from` to `to` (at most
	/// [`MAX_QUERY_INTERVALS`]).
	pub fn forecast(
		zone: ZoneId,
		from: IntervalIndex,
		to: IntervalIndex,
	) -> Vec<(IntervalIndex, ForecastPrice)> {
		queried(from, to).map(|i| (i, Self::forecast_price(i, zone))).collect()
	}

	/// `interval`'s result, if it was cleared and is still kept.
	pub fn clearing(interval: IntervalIndex) -> Option<IntervalClearing> {
		let flows = Flows::<T>::get(interval)?;
		let mut zones: Vec<_> = Clearings::<T>::iter_prefix(interval).collect();
		zones.sort_by_key(|(z, _)| *z);
		Some(IntervalClearing { zones, flows: flows.into_inner() })
	}

	/// `zone`'s book for `interval` by price level (live orders; while it is kept).
	pub fn depth(interval: IntervalIndex, zone: ZoneId) -> BookDepth {
		let mut bids: BTreeMap<PricePerKWh, (Energy, u32)> = BTreeMap::new();
		let mut asks: BTreeMap<PricePerKWh, (Energy, u32)> = BTreeMap::new();
		for (_, orders) in Book::<T>::iter_prefix(interval) {
			for o in orders.iter().filter(|o| o.zone == zone && !o.energy.is_zero()) {
				let side = match o.side() {
					Side::Buy => &mut bids,
					Side::Sell => &mut asks,
				};
				let level = side.entry(o.price).or_default();
				level.0 = level.0.saturating_add(o.energy);
				level.1 = level.1.saturating_add(1);
			}
		}
		let levels = |m: BTreeMap<PricePerKWh, (Energy, u32)>| {
			m.into_iter()
				.map(|(price, (energy, orders))| PriceLevel { price, energy, orders })
				.collect::<Vec<_>>()
		};
		let mut bids = levels(bids);
		bids.reverse();
		BookDepth { bids, asks: levels(asks) }
	}

	/// `who`'s daily statements from `from` to `to` (those kept), arrears and what it is owed.
	pub fn statements(who: T::AccountId, from: DayIndex, to: DayIndex) -> AccountStatements {
		let mut days: Vec<_> = Statements::<T>::iter_prefix(&who)
			.map(|(_, entry)| entry)
			.filter(|(day, _)| from <= *day && *day <= to)
			.collect();
		days.sort_by_key(|(day, _)| *day);
		AccountStatements {
			days,
			arrears: Arrears::<T>::get(&who).unwrap_or_default().saturated_into(),
			owed: Owed::<T>::get(&who).unwrap_or_default().saturated_into(),
		}
	}
}

/// The intervals a query from `from` to `to` covers: at most [`MAX_QUERY_INTERVALS`].
fn queried(from: IntervalIndex, to: IntervalIndex) -> impl Iterator<Item = IntervalIndex> {
	let last = to.0.min(from.0.saturating_add(MAX_QUERY_INTERVALS.saturating_sub(1)));
	(from.0..=last).map(IntervalIndex)
}
