//! Settlement: each meter's interval is settled once its value is final, against what the
//! meter measured (`docs/pricing.md#settlement`).
//!
//! The consumption pallet's finalization pass tells this pallet of every final value
//! ([`OnFinalInterval`]); the meter's position (its orders in the interval, if any) and its
//! metered import and export make a [`Statement`] line:
//!
//! - bought and sold energy at the zone's clearing price (pay-as-clear);
//! - import beyond what was bought at the zone's tariff;
//! - sold energy not delivered at the short imbalance price (at least the clearing price);
//!   bought energy not used at the long one (at most the clearing price); export not sold at
//!   the long one.
//!
//! Export counts only as measured (never a substitute's) and only up to what the meter's
//! connection carries in an interval. A flagged value is quarantined instead, with what the
//! meter traded, until a certifier or the operators release it; a position that cannot be
//! priced fails closed (its hold released, nothing paid, `SettlementFailed`).
//!
//! The line's charges less its credits (with the account's arrears and what the pot owes it)
//! are collected into, or paid from, the market account's pot in one movement; the orders'
//! holds are released first. What cannot be collected becomes arrears, what the pot cannot pay
//! is owed: nothing is lost and nothing is paid twice. Positions whose meter has no final
//! value are settled by `on_idle` after [`Config::SettlementDeadline`] and marked, so that a
//! value turning final later does not settle them again; once an interval has none left, its
//! book is removed.

use crate::{
	pallet::{
		Arrears, Book, BookLen, Clearings, Config, Event, Forecasts, HoldReason, Imbalance,
		MeterPositions, Mix, NextToClear, NextToSettle, OrdersOf, Owed, Pallet, Positions, Pot,
		Quarantine, SettledByDeadline, Statements, Unsettled,
	},
	BalanceOf, Flows, OrderOf, Position, PositionOf, WeightInfo, PAGE_SIZE,
};
use alloc::vec::Vec;
use daeg_primitives::{
	balancing::MarketFund,
	consumption::{
		Correction, IntervalRecord, MeterInfo, MeterRegistry, MeteredEnergy, OnFinalInterval,
		PurchaseLedger, Quality,
	},
	pricing::{MarketStanding, Quarantined, Side, Statement},
	ring, Energy, EnergySource, Grid, GridClock, IntervalIndex, MeterId, Money, PricePerKWh,
	ZoneId,
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

/// What a meter traded in an interval, once its position is closed.
pub(crate) struct Traded<T: Config> {
	/// Whose orders they were.
	owner: T::AccountId,
	/// Energy its bids bought.
	bought: Energy,
	/// Energy its asks sold.
	sold: Energy,
	/// What its orders hold.
	held: BalanceOf<T>,
}

impl<T: Config> OnFinalInterval for Pallet<T> {
	fn on_final(meter: MeterId, record: &IntervalRecord) -> Weight {
		Self::settle_final(meter, record)
	}

	fn on_correction(meter: MeterId, at: IntervalIndex, correction: &Correction) -> Weight {
		Self::true_up(meter, at, correction);
		Self::settle_weight(0)
	}

	fn weight() -> Weight {
		Self::settle_weight(T::MaxOrdersPerAccount::get())
	}
}

impl<T: Config> MarketStanding<T::AccountId> for Pallet<T> {
	fn in_arrears(who: &T::AccountId) -> bool {
		Arrears::<T>::contains_key(who)
	}

	fn has_positions(meter: MeterId) -> bool {
		MeterPositions::<T>::contains_key(meter)
	}

	fn weight() -> Weight {
		T::DbWeight::get().reads(1)
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
		<T as Config>::WeightInfo::settle_meter(orders).saturating_add(Self::purchases_weight())
	}

	/// The most reporting a line's purchases to [`Config::Purchases`] weighs: one per source.
	pub(crate) fn purchases_weight() -> Weight {
		T::Purchases::note_purchase_weight().saturating_mul(EnergySource::ALL.len() as u64)
	}

	/// Whether the positions of `interval` are past the deadline: `on_idle` settles them.
	fn past_deadline(interval: IntervalIndex) -> bool {
		interval
			.checked_add(T::SettlementDeadline::get())
			.is_none_or(|deadline| deadline <= T::Grid::current_interval())
	}

	/// Settles `meter`'s interval now that `record` is final, however late: a position still
	/// open settles against it, a meter without one settles its metered energy. Only a
	/// position already settled at the deadline without a value is not settled again. Returns
	/// the weight used.
	pub(crate) fn settle_final(meter: MeterId, record: &IntervalRecord) -> Weight {
		let interval = record.interval;
		let skipped = T::DbWeight::get().reads_writes(4, 1);
		if let Some(position) = Positions::<T>::take(interval, meter) {
			let orders = position.slots.len() as u32;
			Self::settle_position(interval, meter, position, Some(record));
			return Self::settle_weight(orders);
		}
		if Self::past_deadline(interval) && SettledByDeadline::<T>::take(interval, meter).is_some()
		{
			return skipped;
		}
		if record.imported.is_zero() && record.exported.is_zero() && record.anomaly.is_none() {
			return skipped;
		}
		let Some(info) = T::Meters::meter(meter) else { return skipped };
		let traded = Traded {
			owner: info.owner.clone(),
			bought: Energy::ZERO,
			sold: Energy::ZERO,
			held: Zero::zero(),
		};
		Self::settle_traded(interval, meter, &info, traded, Some(record));
		Self::settle_weight(0)
	}

	/// Settles the position of `meter` in `interval` (already taken from storage) against
	/// `record`, or by the missing-value rule if there is none.
	pub(crate) fn settle_position(
		interval: IntervalIndex,
		meter: MeterId,
		position: PositionOf<T>,
		record: Option<&IntervalRecord>,
	) {
		let Some(traded) = Self::close_position(interval, meter, position) else { return };
		match T::Meters::meter(meter) {
			Some(info) => Self::settle_traded(interval, meter, &info, traded, record),
			// A meter the registry no longer knows: what it measured is unknown.
			None => Self::fail_closed(interval, meter, &traded.owner, traded.held),
		}
	}

	/// Counts a taken position out of the books and sums what its orders traded. `None`
	/// (after failing closed: the position's hold released) if its book no longer holds one
	/// of its orders.
	fn close_position(
		interval: IntervalIndex,
		meter: MeterId,
		Position { owner, slots, held, .. }: PositionOf<T>,
	) -> Option<Traded<T>> {
		// An interval the hook has not cleared has no fills (one it reaches after it ended is
		// voided, never cleared).
		let mut pages: Vec<(u32, Option<BoundedVec<OrderOf<T>, _>>)> = Vec::new();
		let mut traded: Traded<T> =
			Traded { owner, bought: Energy::ZERO, sold: Energy::ZERO, held };
		let mut found = 0usize;
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
			found = found.saturating_add(1);
			match order.side() {
				Side::Buy => traded.bought = traded.bought.saturating_add(order.filled),
				Side::Sell => traded.sold = traded.sold.saturating_add(order.filled),
			}
		}
		OrdersOf::<T>::mutate_exists(&traded.owner, interval, |n| {
			*n = n.map(|n| n.saturating_sub(slots.len() as u32)).filter(|n| *n > 0)
		});
		Unsettled::<T>::mutate(interval, |n| *n = n.saturating_sub(1));
		Self::position_closed(meter);
		if found < slots.len() {
			// What the position traded is unknown: nothing is paid or charged for it.
			Self::fail_closed(interval, meter, &traded.owner, traded.held);
			return None;
		}
		Some(traded)
	}

	/// Books the line that trues up `meter`'s final substitutes against a later reading in
	/// interval `at` ([`statement::correction`](crate::statement::correction)), at that interval's tariff and the
	/// imbalance prices, into the statement of `at`. A meter the registry no longer knows is
	/// not trued up.
	pub(crate) fn true_up(meter: MeterId, at: IntervalIndex, correction: &Correction) {
		let Some(info) = T::Meters::meter(meter) else { return };
		let (_, tariff) = Self::prices_of(at, info.zone);
		let intervals = correction.to.since(correction.from).unwrap_or(0).saturating_add(1);
		let exportable = info
			.max_power
			.energy_over(T::Grid::interval_length_ms().saturating_mul(intervals.into()))
			.unwrap_or(Energy(u64::MAX));
		match crate::statement::correction(correction, tariff, Imbalance::<T>::get(), exportable) {
			Some(line) if line.is_empty() => {}
			// Its energy is the reading's: measured.
			Some(line) => {
				Self::book_line(at, meter, &info.owner, line, Zero::zero(), Some(Quality::Measured))
			}
			None => Self::fail_closed(at, meter, &info.owner, Zero::zero()),
		}
	}

	/// Settles what `meter` traded in `interval` against `record` (`None`: the missing-value
	/// rule: bids count as used as bought and asks as undelivered, so that nothing is paid
	/// without a measured delivery). A flagged value is quarantined instead.
	fn settle_traded(
		interval: IntervalIndex,
		meter: MeterId,
		info: &MeterInfo<T::AccountId>,
		traded: Traded<T>,
		record: Option<&IntervalRecord>,
	) {
		let prices = Self::prices_of(interval, info.zone);
		if let Some(r) = record.filter(|r| r.anomaly.is_some()) {
			return Self::quarantine(interval, meter, info.zone, traded, *r, prices);
		}
		let (metered, quality) = match record {
			Some(r) => (Self::creditable(Some(info), r), Some(r.quality)),
			None => ((traded.bought, Energy::ZERO), None),
		};
		Self::book_traded(interval, meter, traded, prices, metered, quality);
	}

	/// Books the line of `traded` at `(price, tariff)` against `metered` (imported,
	/// exported), paying and collecting it.
	fn book_traded(
		interval: IntervalIndex,
		meter: MeterId,
		traded: Traded<T>,
		(price, tariff): (PricePerKWh, PricePerKWh),
		metered: (Energy, Energy),
		quality: Option<Quality>,
	) {
		let position = (traded.bought, traded.sold);
		// Prices are at most `MAX_PRICE` and energies `u64`: no amount overflows, but if one
		// did, nothing would be paid for it.
		let imbalance = Imbalance::<T>::get();
		let Some(line) = crate::statement::line(position, metered, price, tariff, imbalance) else {
			return Self::fail_closed(interval, meter, &traded.owner, traded.held);
		};
		Self::book_line(interval, meter, &traded.owner, line, traded.held, quality);
		let used = traded.bought.min(metered.0);
		if !used.is_zero() {
			Self::note_purchases(&traded.owner, interval, used);
		}
	}

	/// What of `record` settlement may pay for: export only up to what the meter's connection
	/// carries in an interval (the last line of defence against a forged register), and none
	/// that was estimated rather than measured (a substitute is no delivery). A meter the
	/// registry no longer knows is credited no export.
	fn creditable(
		meter: Option<&MeterInfo<T::AccountId>>,
		record: &IntervalRecord,
	) -> (Energy, Energy) {
		let most = match meter {
			Some(m) if record.quality != Quality::Substituted => {
				m.max_power.energy_over(T::Grid::interval_length_ms()).unwrap_or(Energy(u64::MAX))
			}
			_ => Energy::ZERO,
		};
		(record.imported, record.exported.min(most))
	}

	/// The clearing price (zero where the auction set none) and tariff of `zone` in
	/// `interval`.
	fn prices_of(interval: IntervalIndex, zone: ZoneId) -> (PricePerKWh, PricePerKWh) {
		let clearing = Clearings::<T>::get(interval, zone);
		let price = clearing.and_then(|c| c.price).unwrap_or_default();
		let tariff =
			clearing.map_or_else(|| Self::tariff_without_market(interval, zone), |c| c.tariff);
		(price, tariff)
	}

	/// Holds `meter`'s interval out of settlement: its value `record` was flagged. What its
	/// orders hold stays held; a certifier or the operators release it
	/// ([`Pallet::release_quarantined`]).
	fn quarantine(
		interval: IntervalIndex,
		meter: MeterId,
		zone: ZoneId,
		traded: Traded<T>,
		record: IntervalRecord,
		(price, tariff): (PricePerKWh, PricePerKWh),
	) {
		let who = traded.owner.clone();
		Quarantine::<T>::insert(
			interval,
			meter,
			Quarantined {
				owner: traded.owner,
				zone,
				record,
				bought: traded.bought,
				sold: traded.sold,
				price,
				tariff,
				held: traded.held.saturated_into(),
			},
		);
		Self::deposit_event(Event::ValueQuarantined { interval, meter, who, record });
	}

	/// Settles quarantined `held` of `meter` in `interval` against its value, or `corrected`
	/// (imported, exported) in its place.
	pub(crate) fn release(
		interval: IntervalIndex,
		meter: MeterId,
		held: Quarantined<T::AccountId>,
		corrected: Option<(Energy, Energy)>,
	) {
		let mut record = IntervalRecord { anomaly: None, ..held.record };
		if let Some((imported, exported)) = corrected {
			record.imported = imported;
			record.exported = exported;
		}
		let metered = Self::creditable(T::Meters::meter(meter).as_ref(), &record);
		let traded = Traded {
			owner: held.owner,
			bought: held.bought,
			sold: held.sold,
			held: held.held.saturated_into(),
		};
		let prices = (held.price, held.tariff);
		Self::book_traded(interval, meter, traded, prices, metered, Some(record.quality));
	}

	/// A position or value settlement cannot price: `held` is released, nothing else moves,
	/// and the operators are told.
	fn fail_closed(
		interval: IntervalIndex,
		meter: MeterId,
		who: &T::AccountId,
		held: BalanceOf<T>,
	) {
		if !held.is_zero() {
			let _ =
				T::Currency::release(&HoldReason::Order.into(), who, held, Precision::BestEffort);
		}
		Self::deposit_event(Event::SettlementFailed {
			interval,
			meter,
			who: who.clone(),
			released: held,
		});
	}

	/// Moves the money of `line` for `who` (releasing `held` first), adds the line to its
	/// day's statement, and reports both.
	fn book_line(
		interval: IntervalIndex,
		meter: MeterId,
		who: &T::AccountId,
		line: Statement,
		held: BalanceOf<T>,
		quality: Option<daeg_primitives::consumption::Quality>,
	) {
		Self::pay(who, held, line.charged(), line.credited());
		if let Some(day) = interval.day(T::Grid::interval_length_ms()) {
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
			let _ =
				T::Currency::release(&HoldReason::Order.into(), who, held, Precision::BestEffort);
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
	/// [`Config::PriceHistoryIntervals`]). Returns the weight used.
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
			let orders = position.slots.len() as u32;
			let record = T::Metered::final_energy(meter, next);
			if record.is_none() {
				// Its value, when it turns final, must not settle the meter a second time.
				SettledByDeadline::<T>::insert(next, meter, ());
			}
			Self::settle_position(next, meter, position, record.as_ref());
			used = used
				.saturating_add(Self::settle_weight(orders))
				.saturating_add(db.reads_writes(2, 1));
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
				.saturating_add(u64::from(<T::Grid as Grid>::MaxZones::get()).saturating_mul(2))
				.saturating_add(5),
		)
	}

	/// Removes the book of settled `interval` and the results of the interval
	/// [`Config::PriceHistoryIntervals`] before it.
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
		if let Some(old) = interval.0.checked_sub(T::PriceHistoryIntervals::get()) {
			let _ = Clearings::<T>::clear_prefix(
				IntervalIndex(old),
				<T::Grid as Grid>::MaxZones::get(),
				None,
			);
			let _ = Forecasts::<T>::clear_prefix(
				IntervalIndex(old),
				<T::Grid as Grid>::MaxZones::get(),
				None,
			);
			Flows::<T>::remove(IntervalIndex(old));
		}
	}
}
