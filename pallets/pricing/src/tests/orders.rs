//! Orders, gate closure, holds, governance parameters and clearing in the hook.

use crate::{
	mock::*, Book, BookLen, Clearings, Error, Event, Flows, HoldReason, Limits, NextToClear,
	OrdersOf, Origin, PriceLimits, PAGE_SIZE,
};
use daeg_primitives::{
	grid::ZoneLink,
	pricing::{ImbalancePrices, OrderId, Side, ZoneClearing},
	Energy, EnergySource, IntervalIndex, Power, PricePerKWh, ZoneId,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{InspectHold, Mutate},
		Hooks,
	},
	BoundedVec,
};
use sp_runtime::traits::BadOrigin;

/// Grid time: the start of interval 1,000.
pub(super) const NOW: u64 = 1_000 * INTERVAL_MS;
/// The first interval whose gate is open (gate closure one interval ahead).
pub(super) const OPEN: IntervalIndex = IntervalIndex(1_002);

pub(super) fn at(ms: u64) {
	Timestamp::set_timestamp(ms);
}

pub(super) fn held(who: u64) -> u128 {
	Balances::balance_on_hold(&RuntimeHoldReason::Pricing(HoldReason::Order), &who)
}

pub(super) fn bid(who: u64, meter: daeg_primitives::MeterId, energy: u64, price: u128) -> OrderId {
	let slot = BookLen::<Test>::get(OPEN);
	assert_ok!(Pricing::place_bid(
		RuntimeOrigin::signed(who),
		meter,
		OPEN,
		Energy(energy),
		PricePerKWh(price)
	));
	OrderId { interval: OPEN, slot }
}

pub(super) fn ask(who: u64, f: daeg_primitives::FacilityId, energy: u64, price: u128) -> OrderId {
	let slot = BookLen::<Test>::get(OPEN);
	assert_ok!(Pricing::place_ask(
		RuntimeOrigin::signed(who),
		f,
		OPEN,
		Energy(energy),
		PricePerKWh(price)
	));
	OrderId { interval: OPEN, slot }
}

pub(super) fn order(id: OrderId) -> crate::OrderOf<Test> {
	let (page, index) = Pricing::page_of(id.slot);
	Book::<Test>::get(id.interval, page).unwrap()[index].clone()
}

/// Runs the hook in a block at grid time `ms`.
pub(super) fn block_at(ms: u64) {
	at(ms);
	System::set_block_number(System::block_number() + 1);
	Pricing::on_initialize(System::block_number());
}

#[test]
fn a_bid_holds_its_most_cost_and_cancelling_releases_it() {
	run(|| {
		at(NOW);
		let m = meter(ALICE, 1);
		// 2,500 Wh at 301 per kWh: 752.5, held rounded up.
		let id = bid(ALICE, m, 2_500, 301);
		System::assert_last_event(
			Event::OrderPlaced {
				id,
				owner: ALICE,
				side: Side::Buy,
				zone: ZoneId(1),
				energy: Energy(2_500),
				price: PricePerKWh(301),
			}
			.into(),
		);
		assert_eq!(held(ALICE), 753);
		let o = order(id);
		assert_eq!(
			(o.origin, o.zone, o.held, o.side()),
			(Origin::Meter(m), ZoneId(1), 753, Side::Buy)
		);
		assert_eq!(OrdersOf::<Test>::get(ALICE, OPEN), 1);

		assert_noop!(
			Pricing::cancel_order(RuntimeOrigin::signed(BOB), id),
			Error::<Test>::NotOrderOwner
		);
		assert_ok!(Pricing::cancel_order(RuntimeOrigin::signed(ALICE), id));
		System::assert_last_event(Event::OrderCancelled { id, owner: ALICE }.into());
		assert_eq!(held(ALICE), 0);
		assert_eq!(order(id).energy, Energy(0));
		assert_eq!(OrdersOf::<Test>::get(ALICE, OPEN), 0);
		assert_noop!(
			Pricing::cancel_order(RuntimeOrigin::signed(ALICE), id),
			Error::<Test>::AlreadyCancelled
		);
		assert_noop!(
			Pricing::cancel_order(
				RuntimeOrigin::signed(ALICE),
				OrderId { interval: OPEN, slot: 7 }
			),
			Error::<Test>::UnknownOrder
		);
	});
}

#[test]
fn bad_bids_are_refused() {
	run(|| {
		at(NOW);
		let m = meter(ALICE, 1);
		let place = |who, meter, interval, e, p| {
			Pricing::place_bid(
				RuntimeOrigin::signed(who),
				meter,
				interval,
				Energy(e),
				PricePerKWh(p),
			)
		};
		// The gate of interval 1,001 closed with the start of 1,000.
		assert_noop!(place(ALICE, m, IntervalIndex(1_001), 1, 1), Error::<Test>::GateClosed);
		assert_noop!(place(ALICE, m, IntervalIndex(999), 1, 1), Error::<Test>::GateClosed);
		assert_noop!(place(ALICE, m, IntervalIndex(1_010), 1, 1), Error::<Test>::TooFarAhead);
		assert_ok!(place(ALICE, m, IntervalIndex(1_009), 1, 1));
		assert_noop!(place(ALICE, m, OPEN, 0, 1), Error::<Test>::ZeroEnergy);
		Limits::<Test>::put(PriceLimits { floor: PricePerKWh(5), cap: PricePerKWh(500) });
		assert_noop!(place(ALICE, m, OPEN, 1, 4), Error::<Test>::PriceOutOfRange);
		assert_noop!(place(ALICE, m, OPEN, 1, 501), Error::<Test>::PriceOutOfRange);
		assert_noop!(
			place(ALICE, daeg_primitives::MeterId(99), OPEN, 1, 5),
			Error::<Test>::UnknownMeter
		);
		assert_noop!(place(BOB, m, OPEN, 1, 5), Error::<Test>::NotMeterOwner);
		set_active(m, false);
		assert_noop!(place(ALICE, m, OPEN, 1, 5), Error::<Test>::MeterInactive);
		set_active(m, true);
		// 10^9 at 500 per kWh costs 5 × 10^8... 10^10 Wh would cost 5 × 10^9: more than Alice has.
		assert_noop!(
			place(ALICE, m, OPEN, 10_000_000_000, 500),
			Error::<Test>::InsufficientBalance
		);
		Limits::<Test>::put(PriceLimits { floor: PricePerKWh(0), cap: PricePerKWh(u128::MAX) });
		assert_noop!(place(ALICE, m, OPEN, 2, u128::MAX), Error::<Test>::CostOverflow);
		assert_noop!(
			Pricing::place_bid(RuntimeOrigin::none(), m, OPEN, Energy(1), PricePerKWh(1)),
			BadOrigin
		);
	});
}

#[test]
fn asks_come_only_from_facilities_that_may_sell_storage_included() {
	run(|| {
		at(NOW);
		let wind = facility(BOB, EnergySource::Wind, 2, true);
		let pending = facility(BOB, EnergySource::Solar, 2, false);
		let battery = facility(CAROL, EnergySource::Storage, 2, false);
		let id = ask(BOB, wind, 4_000, 80);
		System::assert_last_event(
			Event::OrderPlaced {
				id,
				owner: BOB,
				side: Side::Sell,
				zone: ZoneId(2),
				energy: Energy(4_000),
				price: PricePerKWh(80),
			}
			.into(),
		);
		let place = |who, f, e| {
			Pricing::place_ask(RuntimeOrigin::signed(who), f, OPEN, Energy(e), PricePerKWh(1))
		};
		// Storage is certified like any other facility before it sells.
		assert_noop!(place(CAROL, battery, 1_000), Error::<Test>::MayNotSell);
		assert_noop!(place(BOB, pending, 1), Error::<Test>::MayNotSell);
		assert_noop!(place(ALICE, wind, 1), Error::<Test>::NotFacilityOwner);
		assert_noop!(
			place(BOB, daeg_primitives::FacilityId(99), 1),
			Error::<Test>::UnknownFacility
		);
		assert_noop!(place(BOB, wind, 0), Error::<Test>::ZeroEnergy);
	});
}

#[test]
fn asks_offer_at_most_the_facility_s_capacity_and_hold_collateral_for_a_shortfall() {
	run(|| {
		at(NOW);
		assert_ok!(Pricing::set_imbalance_prices(
			RuntimeOrigin::root(),
			ImbalancePrices { short: PricePerKWh(400), long: PricePerKWh(100) }
		));
		// 100 kW over a quarter-hour: 25,000 Wh.
		let wind = facility(BOB, EnergySource::Wind, 2, true);
		let first = ask(BOB, wind, 20_000, 80);
		// 20 kWh at the short price of 400 per kWh.
		assert_eq!(held(BOB), 8_000);
		let place = |e| {
			Pricing::place_ask(RuntimeOrigin::signed(BOB), wind, OPEN, Energy(e), PricePerKWh(80))
		};
		// Together with the first, more than the plant generates in the interval.
		assert_noop!(place(5_001), Error::<Test>::AboveCapacity);
		assert_ok!(place(5_000));
		assert_eq!(held(BOB), 10_000);
		// Cancelling gives back both the collateral and the room under the capacity.
		assert_ok!(Pricing::cancel_order(RuntimeOrigin::signed(BOB), first));
		assert_eq!(held(BOB), 2_000);
		assert_ok!(place(20_000));
		// Collateral the seller cannot cover.
		let poor = 7;
		Balances::set_balance(&poor, 100);
		let small = facility(poor, EnergySource::Solar, 2, true);
		assert_noop!(
			Pricing::place_ask(
				RuntimeOrigin::signed(poor),
				small,
				OPEN,
				Energy(1_000),
				PricePerKWh(1)
			),
			Error::<Test>::InsufficientBalance
		);
	});
}

#[test]
fn accounts_in_arrears_place_no_orders() {
	run(|| {
		at(NOW);
		let m = meter(ALICE, 1);
		let wind = facility(ALICE, EnergySource::Wind, 1, true);
		crate::Arrears::<Test>::insert(ALICE, 1);
		assert_noop!(
			Pricing::place_bid(RuntimeOrigin::signed(ALICE), m, OPEN, Energy(1), PricePerKWh(1)),
			Error::<Test>::InArrears
		);
		assert_noop!(
			Pricing::place_ask(RuntimeOrigin::signed(ALICE), wind, OPEN, Energy(1), PricePerKWh(1)),
			Error::<Test>::InArrears
		);
		// Once paid, it trades again.
		assert_ok!(Pricing::settle_account(RuntimeOrigin::signed(ALICE)));
		bid(ALICE, m, 1, 1);
	});
}

#[test]
fn books_and_accounts_are_bounded() {
	run(|| {
		at(NOW);
		let m = meter(ALICE, 1);
		let n = meter(BOB, 1);
		for _ in 0..300 {
			bid(ALICE, m, 1, 1);
		}
		assert_noop!(
			Pricing::place_bid(RuntimeOrigin::signed(ALICE), m, OPEN, Energy(1), PricePerKWh(1)),
			Error::<Test>::TooManyOrders
		);
		for _ in 0..300 {
			bid(BOB, n, 1, 1);
		}
		// 600 orders fill the book: 18 pages of 32 and one of 24.
		assert_eq!(BookLen::<Test>::get(OPEN), 600);
		assert_eq!(Book::<Test>::get(OPEN, 17).unwrap().len(), 32);
		assert_eq!(Book::<Test>::get(OPEN, 18).unwrap().len(), 24);
		assert_eq!(Book::<Test>::get(OPEN, 19), None);
		let c = meter(CAROL, 1);
		assert_noop!(
			Pricing::place_bid(RuntimeOrigin::signed(CAROL), c, OPEN, Energy(1), PricePerKWh(1)),
			Error::<Test>::BookFull
		);
	});
}

#[test]
fn ties_across_pages_are_filled_in_order_of_arrival() {
	run(|| {
		at(NOW);
		let a = meter(ALICE, 1);
		let wind = facility(CAROL, EnergySource::Wind, 1, true);
		// Five pages of equal bids and too little supply for them all: the earliest fill.
		let bids: Vec<_> = (0..5 * PAGE_SIZE).map(|_| bid(ALICE, a, 10, 300)).collect();
		ask(CAROL, wind, 10 * 40, 50);
		// The first block starts the clock; the gate closes an interval later.
		block_at(NOW);
		block_at(NOW + INTERVAL_MS);
		let filled: Vec<u64> = bids.iter().map(|id| order(*id).filled.0).collect();
		assert_eq!(filled[..40], [10; 40]);
		assert!(filled[40..].iter().all(|f| *f == 0), "later bids are not filled");
	});
}

#[test]
fn governance_sets_price_limits() {
	run(|| {
		let limits = PriceLimits { floor: PricePerKWh(10), cap: PricePerKWh(900) };
		assert_noop!(Pricing::set_price_limits(RuntimeOrigin::signed(ALICE), limits), BadOrigin);
		assert_ok!(Pricing::set_price_limits(RuntimeOrigin::root(), limits));
		System::assert_last_event(Event::PriceLimitsSet { limits }.into());
		assert_eq!(Limits::<Test>::get(), limits);
		assert_noop!(
			Pricing::set_price_limits(
				RuntimeOrigin::root(),
				PriceLimits { floor: PricePerKWh(901), cap: PricePerKWh(900) }
			),
			Error::<Test>::BadLimits
		);
	});
}

#[test]
fn the_hook_clears_at_gate_closure_with_zone_prices_and_link_flows() {
	run(|| {
		at(NOW);
		// Zone 1 buys, zone 2 sells cheap; the link carries 4 kW: 1,000 Wh a quarter-hour.
		let links: BoundedVec<_, _> = vec![ZoneLink {
			a: ZoneId(1),
			b: ZoneId(2),
			a_to_b: Power(4_000),
			b_to_a: Power(4_000),
		}]
		.try_into()
		.unwrap();
		assert_ok!(Grid::set_links(RuntimeOrigin::root(), links));
		let (a, b) = (meter(ALICE, 1), meter(BOB, 2));
		let wind = facility(CAROL, EnergySource::Wind, 2, true);
		let hydro = facility(CAROL, EnergySource::Hydro, 1, true);
		let dear = bid(ALICE, a, 2_000, 300);
		let local = bid(BOB, b, 500, 100);
		let cheap = ask(CAROL, wind, 3_000, 50);
		let backup = ask(CAROL, hydro, 2_000, 200);
		let cancelled = bid(ALICE, a, 1_000, 999);
		assert_ok!(Pricing::cancel_order(RuntimeOrigin::signed(ALICE), cancelled));

		// While the gate is open, the book's indicative prices are what clearing it now gives.
		let indicative = Pricing::indicative(OPEN);
		assert_eq!(
			indicative.iter().map(|(z, _)| *z).collect::<Vec<_>>(),
			vec![ZoneId(1), ZoneId(2)]
		);
		assert_eq!(indicative[0].1.price, Some(PricePerKWh(200)));

		// Before the first timestamp there is no grid time to start from.
		block_at(0);
		assert_eq!(NextToClear::<Test>::get(), None);
		// The first block with one starts the clock; interval 1,002 is not due until 1,001.
		block_at(NOW);
		assert_eq!(NextToClear::<Test>::get(), Some(IntervalIndex(1_000)));
		block_at(NOW + 1);
		assert!(Clearings::<Test>::get(OPEN, ZoneId(1)).is_none());
		block_at(NOW + INTERVAL_MS);
		assert_eq!(NextToClear::<Test>::get(), Some(IntervalIndex(1_003)));
		// The gate has closed: no more orders or cancellations.
		assert_noop!(
			Pricing::cancel_order(RuntimeOrigin::signed(ALICE), dear),
			Error::<Test>::GateClosed
		);

		// Zone 2's wind serves its own 500 Wh and 1,000 Wh over the link; zone 1 buys the rest
		// (1,000 Wh) from hydro at 200, which sets zone 1's price; zone 2's is the wind's 50.
		assert_eq!((order(dear).filled, order(local).filled), (Energy(2_000), Energy(500)));
		assert_eq!((order(cheap).filled, order(backup).filled), (Energy(1_500), Energy(1_000)));
		assert_eq!(order(cancelled).filled, Energy(0));
		assert_eq!(
			Clearings::<Test>::get(OPEN, ZoneId(1)),
			Some(ZoneClearing {
				price: Some(PricePerKWh(200)),
				bought: Energy(2_000),
				sold: Energy(1_000),
				demanded: Energy(2_000),
				offered: Energy(2_000),
				// No fees set: consumers who did not bid pay the clearing price.
				tariff: PricePerKWh(200),
			})
		);
		assert_eq!(
			Clearings::<Test>::get(OPEN, ZoneId(2)),
			Some(ZoneClearing {
				price: Some(PricePerKWh(50)),
				bought: Energy(500),
				sold: Energy(1_500),
				demanded: Energy(500),
				offered: Energy(3_000),
				tariff: PricePerKWh(50),
			})
		);
		assert_eq!(
			Flows::<Test>::get(OPEN).unwrap().into_inner(),
			vec![(ZoneId(1), ZoneId(2), -1_000)]
		);
		for (zone, result) in indicative {
			assert_eq!(Clearings::<Test>::get(OPEN, zone), Some(result), "indicative = cleared");
		}
		System::assert_has_event(
			Event::IntervalCleared { interval: OPEN, orders: 5, traded: Energy(2_500), steps: 3 }
				.into(),
		);
		System::assert_has_event(
			Event::ZoneCleared {
				interval: OPEN,
				zone: ZoneId(2),
				result: Clearings::<Test>::get(OPEN, ZoneId(2)).unwrap(),
			}
			.into(),
		);
		// Holds stay until settlement.
		assert_eq!(held(ALICE), 600);
	});
}

#[test]
fn the_hook_passes_over_empty_intervals_and_catches_up() {
	run(|| {
		at(NOW);
		let a = meter(ALICE, 1);
		let wind = facility(BOB, EnergySource::Wind, 1, true);
		bid(ALICE, a, 100, 100);
		ask(BOB, wind, 100, 10);
		block_at(NOW);
		// The chain pauses until 1,002 has started: one block passes empty intervals and
		// still clears it (delivery is not over), charged the benchmarked clearing of its two
		// orders.
		at(NOW + 2 * INTERVAL_MS);
		let used = Pricing::on_initialize(2);
		assert!(used.all_gte(<() as crate::WeightInfo>::clear_interval(2)));
		assert!(Clearings::<Test>::get(OPEN, ZoneId(1)).is_some());
		assert_eq!(NextToClear::<Test>::get(), Some(IntervalIndex(1_003)));
		block_at(NOW + 2 * INTERVAL_MS + 1);
		assert_eq!(NextToClear::<Test>::get(), Some(IntervalIndex(1_004)));
	});
}

#[test]
fn try_state_catches_a_wrong_count_and_a_missing_hold() {
	ext(INTERVAL_MS).execute_with(|| {
		at(NOW);
		let m = meter(ALICE, 1);
		bid(ALICE, m, 1_000, 100);
		assert_ok!(Pricing::do_try_state());
		OrdersOf::<Test>::insert(ALICE, OPEN, 2);
		assert!(Pricing::do_try_state().is_err());
		OrdersOf::<Test>::insert(ALICE, OPEN, 1);
		let _ = <Balances as frame_support::traits::fungible::MutateHold<u64>>::release(
			&RuntimeHoldReason::Pricing(HoldReason::Order),
			&ALICE,
			50,
			frame_support::traits::tokens::Precision::Exact,
		);
		assert!(Pricing::do_try_state().is_err());
	});
}
