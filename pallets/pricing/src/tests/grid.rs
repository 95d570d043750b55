//! What the balancing pallet asks of the market: a halted zone's orders stay out of the
//! auction and its consumers pay the emergency tariff, a cut-off zone's links carry nothing,
//! an emergency cap bounds a zone's prices, and storage dispatch enters the book filled at the
//! zone's price and is settled against the unit's meter.

use super::orders::{ask, at, bid, block_at, order, NOW, OPEN};
use crate::{mock::*, Clearings, Event, Mix, Origin};
use daeg_primitives::{
	balancing::{Dispatch, ZoneMarket},
	consumption::{MeterKind, Quality},
	grid::ZoneLink,
	pricing::{OrderId, Side, TariffParameters},
	Energy, EnergySource, Power, PricePerKWh, ZoneId,
};
use frame_support::{assert_ok, traits::fungible::Inspect, BoundedVec};

/// Links zone 0 and zone 1 (4 kW each way: 1 kWh a quarter-hour) and sets a tariff of
/// reference 250 and no fees.
fn two_zones() {
	at(NOW);
	let link = ZoneLink { a: ZoneId(0), b: ZoneId(1), a_to_b: Power(4_000), b_to_a: Power(4_000) };
	pallet_grid::Links::<Test>::put(BoundedVec::truncate_from(vec![link]));
	assert_ok!(Pricing::set_tariff(
		RuntimeOrigin::root(),
		TariffParameters { reference: PricePerKWh(250), ..Default::default() }
	));
}

/// Runs the hook until `OPEN` is cleared.
fn cleared() {
	block_at(NOW);
	block_at(NOW + INTERVAL_MS);
}

fn set_market(zone: u16, market: ZoneMarket) {
	ZoneMarkets::mutate(|m| m.push((ZoneId(zone), market)));
}

#[test]
fn a_halted_zone_trades_nothing_and_its_consumers_pay_the_emergency_tariff() {
	run(|| {
		two_zones();
		let cheap = facility(CAROL, EnergySource::Wind, 0, true);
		let alice = meter(ALICE, 1);
		ask(CAROL, cheap, 1_000, 100);
		let b = bid(ALICE, alice, 1_000, 300);
		set_market(
			1,
			ZoneMarket { halted: Some(PricePerKWh(900)), isolated: true, ..Default::default() },
		);
		cleared();
		assert_eq!(order(b).filled, Energy(0));
		let c = Clearings::<Test>::get(OPEN, ZoneId(1)).unwrap();
		assert_eq!((c.price, c.demanded, c.tariff), (None, Energy(0), PricePerKWh(900)));
		// The link to the halted zone was left out.
		let (_, _, links) = ClearedSeen::get().pop().unwrap();
		assert!(links.is_empty());

		// Alice consumed 1 kWh: she pays the emergency tariff for it, and her hold is released.
		block_at(NOW + 3 * INTERVAL_MS);
		let before = Balances::total_balance(&ALICE);
		finalize(alice, OPEN, 1_000, 0, Quality::Measured);
		assert_eq!(before - Balances::total_balance(&ALICE), 900);
	});
}

#[test]
fn an_isolated_zone_clears_alone_and_a_cap_bounds_its_price() {
	run(|| {
		two_zones();
		let cheap = facility(CAROL, EnergySource::Wind, 0, true);
		let local = facility(BOB, EnergySource::Solar, 1, true);
		let alice = meter(ALICE, 1);
		ask(CAROL, cheap, 1_000, 100);
		ask(BOB, local, 1_000, 280);
		let b = bid(ALICE, alice, 1_000, 300);
		set_market(1, ZoneMarket { isolated: true, cap: Some(PricePerKWh(285)), halted: None });
		cleared();
		// Zone 0's cheap energy could not come: Bob's local energy sold, between 280 and
		// 300 (290), capped at 285; the tariff too.
		assert_eq!(order(b).filled, Energy(1_000));
		let c = Clearings::<Test>::get(OPEN, ZoneId(1)).unwrap();
		assert_eq!((c.price, c.tariff), (Some(PricePerKWh(285)), PricePerKWh(285)));
		assert_eq!(Clearings::<Test>::get(OPEN, ZoneId(0)).unwrap().sold, Energy(0));
	});
}

#[test]
fn storage_dispatch_is_paid_for_what_the_units_meter_delivered() {
	run(|| {
		two_zones();
		let wind = facility(CAROL, EnergySource::Wind, 1, true);
		let alice = meter(ALICE, 1);
		let unit = meter_of(BOB, 1, MeterKind::Storage);
		ask(CAROL, wind, 1_000, 100);
		bid(ALICE, alice, 2_000, 300);
		// The balancing pallet answers the clearing by discharging Bob's unit 1 kWh.
		Dispatches::set(vec![Dispatch {
			owner: BOB,
			meter: unit,
			zone: ZoneId(1),
			side: Side::Sell,
			energy: Energy(1_000),
		}]);
		cleared();
		// It was told zone 1 is short a kWh (its demand, supply and fills) and saw the link.
		let (interval, zones, links) = ClearedSeen::get().pop().unwrap();
		let zone1 = zones.iter().find(|(z, _)| *z == ZoneId(1)).unwrap().1;
		assert_eq!((interval, zone1.demanded, zone1.bought), (OPEN, Energy(2_000), Energy(1_000)));
		assert_eq!(links.len(), 1);
		// The dispatch is a filled order at the zone's price (300: Alice's bid was left short).
		let id = OrderId { interval: OPEN, slot: 2 };
		let o = order(id);
		assert_eq!(o.origin, Origin::Dispatched(Side::Sell));
		assert_eq!((o.filled, o.price), (Energy(1_000), PricePerKWh(300)));
		System::assert_has_event(
			Event::DispatchEntered { id, owner: BOB, side: Side::Sell, energy: Energy(1_000) }
				.into(),
		);
		// Storage is part of what buyers bought.
		assert_eq!(Mix::<Test>::get(OPEN).unwrap()[EnergySource::Storage as usize], Energy(1_000));

		// The meter shows 600 Wh delivered: Bob is paid 600 Wh at 300; the 400 Wh shortfall
		// costs at least the price it was paid (the short imbalance price is zero here): no
		// payment without delivery.
		block_at(NOW + 3 * INTERVAL_MS);
		let before = Balances::balance(&BOB);
		finalize(unit, OPEN, 0, 600, Quality::Measured);
		assert_eq!(Balances::balance(&BOB) - before, 180);
	});
}

#[test]
fn dispatch_in_a_zone_without_a_price_is_paid_the_weathers_price() {
	run(|| {
		two_zones();
		let alice = meter(ALICE, 0);
		let unit = meter_of(BOB, 0, MeterKind::Storage);
		bid(ALICE, alice, 2_000, 300);
		Dispatches::set(vec![Dispatch {
			owner: BOB,
			meter: unit,
			zone: ZoneId(0),
			side: Side::Sell,
			energy: Energy(500),
		}]);
		cleared();
		// Nothing traded, so the auction set no price: the reference price (no weather model).
		assert_eq!(Clearings::<Test>::get(OPEN, ZoneId(0)).unwrap().price, Some(PricePerKWh(250)));
		assert_eq!(order(OrderId { interval: OPEN, slot: 1 }).price, PricePerKWh(250));
	});
}

#[test]
fn dispatch_that_cannot_enter_the_book_is_refused_and_not_settled() {
	run(|| {
		two_zones();
		let alice = meter(ALICE, 1);
		bid(ALICE, alice, 1_000, 300);
		// Bob's dispatch names Alice's meter, which she trades in the interval.
		Dispatches::set(vec![Dispatch {
			owner: BOB,
			meter: alice,
			zone: ZoneId(1),
			side: Side::Buy,
			energy: Energy(500),
		}]);
		cleared();
		System::assert_has_event(
			Event::DispatchRefused {
				interval: OPEN,
				meter: alice,
				side: Side::Buy,
				energy: Energy(500),
			}
			.into(),
		);
		assert_eq!(crate::BookLen::<Test>::get(OPEN), 1);
	});
}
