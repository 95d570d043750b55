//! Settlement: each meter's interval is settled once its value is final, against what the
//! meter measured (`docs/pricing.md#settlement`).
//!
//! The metering pallet's finalization pass tells this pallet of every final value
//! ([`OnFinalInterval`]); the meter's position (its orders in the interval, if any) and its
//! metered import and export make a [`Statement`] line:
//!
//! - bought and sold energy at the zone's clearing price (pay-as-clear);
//! - import beyond what was bought at the zone's tariff;
//! - sold energy not delivered at the short imbalance price; bought energy not used and
//!   export not sold at the long one.
//!
//! The line's charges less its credits (with the account's arrears and what the pot owes it)
//! are collected into, or paid from, the market account's pot in one movement; a bid's hold
//! is released first. What cannot be collected becomes arrears, what the pot cannot pay is
//! owed: nothing is lost and nothing is paid twice. Positions whose meter never gets a final
//! value are settled by `on_idle` after [`Config::SettlementDeadline`]; once an interval has
//! none left, its book is removed.

use crate::{
	pallet::{
		Arrears, Book, BookLen, Clearings, Config, Event, Forecasts, HoldReason, Imbalance, Mix,
		NextToClear, NextToSettle, OrdersOf, Owed, Pallet, Positions, Pot, Statements, Unsettled,
	},
	BalanceOf, Flows, OrderOf, PositionOf, WeightInfo, PAGE_SIZE,
};
use alloc::vec::Vec;
use daeg_primitives::{
	balancing::MarketFund,
	market::{Side, Statement},
	metering::{IntervalRecord, MeterRegistry, MeteredEnergy, OnFinalInterval, PurchaseLedger},
	ring, Energy, EnergySource, GridClock, IntervalIndex, MeterId, Money, ZoneId,
};
use frame_support::{
	storage::with_storage_layer,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Preservation, Restriction},
		Get,
	},
	weights::Weight,
	BoundedVec,
};
use sp_runtime::{
	traits::{Saturating, Zero},
	Perbill, SaturatedConversion,
};

/// How many settled or empty intervals one block may pass over.
const MAX_INTERVALS_PER_BLOCK: u32 = 16;

impl<T: Config> OnFinalInterval for Pallet<T> {
	fn on_final(meter: MeterId, record: &IntervalRecord) -> Weight {
		Self::settle_final(meter, record)
	}

	fn weight() -> Weight {
		Self::settle_weight(T::MaxOrdersPerAccount::get())
	}
}

/// Demand-response rewards are paid from the pot, like settlement's credits.
impl<T: Config> MarketFund<T::AccountId> for Pallet<T> {
	fn pay(who: &T::AccountId, amount: Money) {
		Self::pay(who, Zero::zero(), 0, amount)
	}

	fn pay_weight() -> Weight {
		<T as Config>::WeightInfo::settle_account()
	}
}

impl<T: Config> Pallet<T> {
	/// The most settling a meter with `orders` orders in the interval weighs: the benchmark,
	/// and the purchases reported to [`Config::Purchases`] (one per source at most).
	pub(crate) fn settle_weight(orders: u32) -> Weight {
		<T as Config>::WeightInfo::settle_meter(orders).saturating_add(
			T::Purchases::note_purchase_weight().saturating_mul(EnergySource::ALL.len() as u64),
		)
	}

	/// Whether the positions of `interval` are past the deadline: `on_idle` settles them.
	fn past_deadline(interval: IntervalIndex) -> bool {
		interval
			.checked_add(T::SettlementDeadline::get())
			.is_none_or(|deadline| deadline <= Self::current_interval())
	}

	/// Settles `meter`'s interval now that `record` is final. Returns the weight used.
	pub(crate) fn settle_final(meter: MeterId, record: &IntervalRecord) -> Weight {
		let interval = record.interval;
		let skipped = T::DbWeight::get().reads(3);
		if Self::past_deadline(interval) {
			return skipped;
		}
		if let Some(position) = Positions::<T>::take(interval, meter) {
			let orders = position.1.len() as u32;
			Self::settle_position(interval, meter, position, Some(record));
			return Self::settle_weight(orders);
		}
		if record.imported.is_zero() && record.exported.is_zero() {
			return skipped;
		}
		let Some(info) = T::Meters::meter(meter) else { return skipped };
		let metered = (record.imported, record.exported);
		let line = Self::line(interval, info.zone, (Energy::ZERO, Energy::ZERO), metered);
		Self::book_line(interval, meter, &info.owner, line, Zero::zero(), Some(record.quality));
		Self::settle_weight(0)
	}

	/// Settles the position of `meter` in `interval` (already taken from storage) against
	/// `record`, or by the missing-value rule if there is none.
	pub(crate) fn settle_position(
		interval: IntervalIndex,
		meter: MeterId,
		(owner, slots): PositionOf<T>,
		record: Option<&IntervalRecord>,
	) {
		// An interval the hook has not cleared has no fills (one it reaches after it ended is
		// voided, never cleared).
		let mut pages: Vec<(u32, Option<BoundedVec<OrderOf<T>, _>>)> = Vec::new();
		let (mut bought, mut sold) = (Energy::ZERO, Energy::ZERO);
		let mut held: BalanceOf<T> = Zero::zero();
		let mut zone = None;
		for slot in slots.iter() {
			let (page, index) = Self::page_of(*slot);
			let orders = match pages.iter().position(|(p, _)| *p == page) {
				Some(at) => pages.get(at).and_then(|(_, o)| o.as_ref()),
				None => {
					pages.push((page, Book::<T>::get(interval, page)));
					pages.last().and_then(|(_, o)| o.as_ref())
				}
			};
			let Some(order) = orders.and_then(|o| o.get(index)) else { continue };
			held = held.saturating_add(order.held);
			zone = Some(order.zone);
			match order.side() {
				Side::Buy => bought = bought.saturating_add(order.filled),
				Side::Sell => sold = sold.saturating_add(order.filled),
			}
		}
		OrdersOf::<T>::mutate_exists(&owner, interval, |n| {
			*n = n.map(|n| n.saturating_sub(slots.len() as u32)).filter(|n| *n > 0)
		});
		Unsettled::<T>::mutate(interval, |n| *n = n.saturating_sub(1));

		// Without a final value, bids count as used as bought and asks as undelivered: no
		// payment without a measured delivery.
		let (metered, quality) = match record {
			Some(r) => ((r.imported, r.exported), Some(r.quality)),
			None => ((bought, Energy::ZERO), None),
		};
		let Some(zone) = zone else { return };
		let line = Self::line(interval, zone, (bought, sold), metered);
		Self::book_line(interval, meter, &owner, line, held, quality);
		let used = bought.min(metered.0);
		if !used.is_zero() {
			Self::note_purchases(&owner, interval, used);
		}
	}

	/// The statement line of a meter in `zone` that traded `(bought, sold)` in `interval` and
	/// metered `(imported, exported)`.
	fn line(
		interval: IntervalIndex,
		zone: ZoneId,
		traded: (Energy, Energy),
		metered: (Energy, Energy),
	) -> Statement {
		let clearing = Clearings::<T>::get(interval, zone);
		let price = clearing.and_then(|c| c.price).unwrap_or_default();
		let tariff =
			clearing.map_or_else(|| Self::tariff_without_market(interval, zone), |c| c.tariff);
		// Prices are at most `MAX_PRICE` and energies `u64`: no amount overflows.
		Statement::line(traded, metered, price, tariff, Imbalance::<T>::get()).unwrap_or_default()
	}

	/// Moves the money of `line` for `who` (releasing `held` first), adds the line to its
	/// day's statement, and reports both.
	fn book_line(
		interval: IntervalIndex,
		meter: MeterId,
		who: &T::AccountId,
		line: Statement,
		held: BalanceOf<T>,
		quality: Option<daeg_primitives::metering::Quality>,
	) {
		Self::pay(who, held, line.charged(), line.credited());
		if let Some(day) = interval.day(Self::interval_length_ms()) {
			let slot = ring::slot(day.0, T::StatementDays::get());
			Statements::<T>::mutate(who, slot, |entry| ring::entry(entry, day).add(&line));
		}
		Self::deposit_event(Event::Settled { interval, meter, who: who.clone(), line, quality });
	}

	/// Releases `held` of `who`'s bid hold, then nets `charged` and `credited` with its
	/// arrears and what it is owed: collects the balance into the pot (as far as it can pay,
	/// keeping the account alive) or pays it from the pot (as far as the pot holds). What
	/// remains is kept as arrears or owed.
	pub(crate) fn pay(who: &T::AccountId, held: BalanceOf<T>, charged: Money, credited: Money) {
		if !held.is_zero() {
			let _ = T::Currency::release(&HoldReason::Bid.into(), who, held, Precision::BestEffort);
		}
		let debit: BalanceOf<T> = charged.saturated_into();
		let credit: BalanceOf<T> = credited.saturated_into();
		let debit = debit.saturating_add(Arrears::<T>::take(who).unwrap_or_default());
		let credit = credit.saturating_add(Owed::<T>::take(who).unwrap_or_default());
		let market = T::MarketAccount::get();
		let pot = HoldReason::Pot.into();
		let (mut collected, mut paid) = (Zero::zero(), Zero::zero());
		let (mut arrears, mut owed): (BalanceOf<T>, BalanceOf<T>) = (Zero::zero(), Zero::zero());
		if debit > credit {
			let due = debit.saturating_sub(credit);
			// A layer of its own: the transfer may fail after a partial change, which must go.
			collected = with_storage_layer(|| {
				T::Currency::transfer_and_hold(
					&pot,
					who,
					&market,
					due,
					Precision::BestEffort,
					Preservation::Preserve,
					Fortitude::Polite,
				)
			})
			.unwrap_or_default();
			arrears = due.saturating_sub(collected);
		} else if credit > debit {
			let due = credit.saturating_sub(debit);
			paid = with_storage_layer(|| {
				T::Currency::transfer_on_hold(
					&pot,
					&market,
					who,
					due,
					Precision::BestEffort,
					Restriction::Free,
					Fortitude::Polite,
				)
			})
			.unwrap_or_default();
			owed = due.saturating_sub(paid);
		}
		if !arrears.is_zero() {
			Arrears::<T>::insert(who, arrears);
		}
		if !owed.is_zero() {
			Owed::<T>::insert(who, owed);
		}
		Pot::<T>::mutate(|p| {
			p.collected = p.collected.saturating_add(collected);
			p.paid = p.paid.saturating_add(paid);
		});
		if !debit.is_zero() || !credit.is_zero() {
			Self::deposit_event(Event::Payment {
				who: who.clone(),
				collected,
				paid,
				arrears,
				owed,
			});
		}
	}

	/// Reports `used` energy bought by `buyer` in `interval` to the purchase ledger, split by
	/// the interval's mix of sold sources (rounded down: a remainder stays unattributed).
	fn note_purchases(buyer: &T::AccountId, interval: IntervalIndex, used: Energy) {
		let Some(mix) = Mix::<T>::get(interval) else { return };
		let total = mix.iter().fold(0u64, |t, e| t.saturating_add(e.0));
		for (source, sold) in EnergySource::ALL.iter().zip(mix.iter()) {
			let share = Perbill::from_rational(sold.0, total).mul_floor(used.0);
			if share > 0 {
				T::Purchases::note_purchase(buyer, interval, *source, Energy(share));
			}
		}
	}

	/// `on_idle`: settles the positions of intervals past the deadline from what is known,
	/// and removes the book of each interval with none left (and results older than
	/// [`Config::PriceHistory`]). Returns the weight used.
	pub(crate) fn settle_due(limit: Weight) -> Weight {
		let db = T::DbWeight::get();
		// The cursors, grid time and the interval's count.
		let mut used = db.reads_writes(5, 1);
		let step = Self::settle_weight(T::MaxOrdersPerAccount::get())
			.max(Self::prune_weight())
			.saturating_add(db.reads(2));
		if limit.any_lt(used.saturating_add(step)) {
			return Weight::zero();
		}
		let (Some(mut next), Some(cleared)) = (NextToSettle::<T>::get(), NextToClear::<T>::get())
		else {
			return db.reads(2);
		};
		let mut passed = 0u32;
		while next < cleared && passed < MAX_INTERVALS_PER_BLOCK {
			if limit.any_lt(used.saturating_add(step)) {
				break;
			}
			if Unsettled::<T>::get(next) == 0 {
				Self::prune(next);
				used = used.saturating_add(Self::prune_weight());
				passed = passed.saturating_add(1);
				next = IntervalIndex(next.0.saturating_add(1));
				continue;
			}
			if !Self::past_deadline(next) {
				break;
			}
			let Some((meter, position)) = Positions::<T>::drain_prefix(next).next() else {
				// Counted but none there: the count is wrong; settle the interval anyway.
				Unsettled::<T>::remove(next);
				continue;
			};
			let orders = position.1.len() as u32;
			Self::settle_position(
				next,
				meter,
				position,
				T::Metered::final_energy(meter, next).as_ref(),
			);
			used = used.saturating_add(Self::settle_weight(orders)).saturating_add(db.reads(2));
		}
		NextToSettle::<T>::put(next);
		used
	}

	/// The most removing a settled interval's book and an old interval's results weighs.
	fn prune_weight() -> Weight {
		let pages = T::MaxOrdersPerInterval::get().div_ceil(PAGE_SIZE);
		T::DbWeight::get().reads_writes(
			1,
			u64::from(pages)
				.saturating_add(u64::from(T::MaxZones::get()).saturating_mul(2))
				.saturating_add(5),
		)
	}

	/// Removes the book of settled `interval` and the results of the interval
	/// [`Config::PriceHistory`] before it.
	fn prune(interval: IntervalIndex) {
		let len = BookLen::<T>::take(interval);
		if len > 0 {
			for page in 0..len.div_ceil(PAGE_SIZE) {
				Book::<T>::remove(interval, page);
			}
			Self::deposit_event(Event::IntervalSettled { interval });
		}
		Unsettled::<T>::remove(interval);
		Mix::<T>::remove(interval);
		if let Some(old) = interval.0.checked_sub(T::PriceHistory::get()) {
			let _ = Clearings::<T>::clear_prefix(IntervalIndex(old), T::MaxZones::get(), None);
			let _ = Forecasts::<T>::clear_prefix(IntervalIndex(old), T::MaxZones::get(), None);
			Flows::<T>::remove(IntervalIndex(old));
		}
	}
}
