//! Settlement against final meter values, tariffs, the pot, arrears and what is owed; every
//! test checks that money is conserved (total issuance, and the pot's books by `try_state`).

use super::orders::{ask, at, bid, block_at, held, order, NOW, OPEN};
use crate::{
	mock::*, Arrears, Book, BookLen, Clearings, Error, Event, HoldReason, Imbalance, Owed,
	Positions, Statements, Tariff, Unsettled, MAX_PRICE,
};
use daeg_primitives::{
	consumption::{MeterKind, Quality},
	grid::ZoneLink,
	pricing::{ImbalancePrices, Statement, TariffParameters},
	Energy, EnergySource, IntervalIndex, MeterId, Power, PricePerKWh, ZoneId,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, InspectHold, Mutate},
		Hooks,
	},
	weights::Weight,
	BoundedVec,
};
use sp_runtime::traits::BadOrigin;

const START: u128 = 1_000_000_000;
/// The tariff's grid fee, every hour.
const FEE: u128 = 20;

fn free(who: u64) -> u128 {
	Balances::balance(&who)
}

fn pot() -> u128 {
	Balances::balance_on_hold(&RuntimeHoldReason::Pricing(HoldReason::Pot), &MARKET)
}

/// Sets the tariff (reference 250, grid fee 20, congestion 30, scarcity 1,000) and the
/// imbalance prices (short 400, long 100).
fn set_prices() {
	assert_ok!(Pricing::set_tariff(
		RuntimeOrigin::root(),
		TariffParameters {
			reference: PricePerKWh(250),
			grid_fees: [PricePerKWh(FEE); 24],
			congestion: PricePerKWh(30),
			scarcity: PricePerKWh(1_000),
		}
	));
	assert_ok!(Pricing::set_imbalance_prices(
		RuntimeOrigin::root(),
		ImbalancePrices { short: PricePerKWh(400), long: PricePerKWh(100) }
	));
}

/// Alice bids 2,000 Wh at 300 and Carol's wind asks 2,000 Wh at 100 in zone 1; the interval
/// clears at 200 (the midpoint of the consistent prices). Returns Alice's meter and Carol's
/// facility's meter, with grid time in the interval after the one traded.
fn traded() -> (MeterId, MeterId) {
	at(NOW);
	set_prices();
	let alice = meter(ALICE, 1);
	let wind = facility(CAROL, EnergySource::Wind, 1, true);
	let b = bid(ALICE, alice, 2_000, 300);
	let a = ask(CAROL, wind, 2_000, 100);
	block_at(NOW);
	block_at(NOW + INTERVAL_MS);
	assert_eq!((order(b).filled, order(a).filled), (Energy(2_000), Energy(2_000)));
	let clearing = Clearings::<Test>::get(OPEN, ZoneId(1)).unwrap();
	assert_eq!(clearing.price, Some(PricePerKWh(200)));
	assert_eq!(clearing.tariff, PricePerKWh(200 + FEE));
	assert_eq!(held(ALICE), 600);
	block_at(NOW + 3 * INTERVAL_MS);
	(alice, meter_of_facility(wind))
}

/// Settles Alice consuming `consumed` and Carol exporting `exported`; checks that money is
/// conserved and returns Alice's and Carol's balance changes and the pot's.
fn settle(alice: MeterId, carol: MeterId, consumed: u64, exported: u64) -> (i128, i128, i128) {
	let issuance = Balances::total_issuance();
	let (a, c, p) = (Balances::total_balance(&ALICE), Balances::total_balance(&CAROL), pot());
	finalize(alice, OPEN, consumed, 0, Quality::Measured);
	finalize(carol, OPEN, 0, exported, Quality::Measured);
	assert_eq!(Balances::total_issuance(), issuance);
	assert_eq!(held(ALICE), 0, "the bid's hold is released");
	assert_eq!(held(CAROL), 0, "the ask's collateral is released");
	let da = free(ALICE) as i128 - a as i128;
	let dc = free(CAROL) as i128 - c as i128;
	let dp = pot() as i128 - p as i128;
	assert_eq!(da + dc + dp, 0, "what one pays another receives");
	(da, dc, dp)
}

fn statement(who: u64) -> Statement {
	let day = OPEN.day(INTERVAL_MS).unwrap();
	let slot = day.0 % 3;
	let (d, s) = Statements::<Test>::get(who, slot).unwrap();
	assert_eq!(d, day);
	s
}

#[test]
fn exact_delivery_pays_the_clearing_price_and_removes_the_book() {
	run(|| {
		let (alice, carol) = traded();
		assert_eq!(settle(alice, carol, 2_000, 2_000), (-400, 400, 0));
		assert_eq!(
			statement(ALICE),
			Statement { bought: Energy(2_000), bought_cost: 400, ..Default::default() }
		);
		assert_eq!(
			statement(CAROL),
			Statement { sold: Energy(2_000), sold_revenue: 400, ..Default::default() }
		);
		assert_eq!(Purchases::get(), vec![(ALICE, OPEN, EnergySource::Wind, Energy(2_000))]);
		System::assert_has_event(
			Event::Settled {
				interval: OPEN,
				meter: carol,
				who: CAROL,
				line: statement(CAROL),
				quality: Some(Quality::Measured),
			}
			.into(),
		);
		System::assert_has_event(
			Event::Payment { who: CAROL, collected: 0, paid: 400, arrears: 0, owed: 0 }.into(),
		);
		assert_eq!(Unsettled::<Test>::get(OPEN), 0);
		assert!(Positions::<Test>::iter_prefix(OPEN).next().is_none());

		// The book goes once the interval is settled; the prices stay.
		Pricing::on_idle(System::block_number(), Weight::MAX);
		assert_eq!(BookLen::<Test>::get(OPEN), 0);
		assert!(Book::<Test>::iter_prefix(OPEN).next().is_none());
		assert!(Clearings::<Test>::get(OPEN, ZoneId(1)).is_some());
		System::assert_has_event(Event::IntervalSettled { interval: OPEN }.into());
	});
}

#[test]
fn under_delivery_pays_the_shortfall_at_the_short_price() {
	run(|| {
		let (alice, carol) = traded();
		// Carol delivers 1,500 of 2,000 Wh: 400 for the sale, less 500 Wh × 400 = 200.
		assert_eq!(settle(alice, carol, 2_000, 1_500), (-400, 200, 200));
		let s = statement(CAROL);
		assert_eq!((s.short, s.short_cost, s.sold_revenue), (Energy(500), 200, 400));
	});
}

#[test]
fn over_delivery_earns_the_surplus_at_the_long_price() {
	run(|| {
		let (alice, carol) = traded();
		// Carol delivers 2,500 Wh: 400 for the sale and 500 Wh × 100 = 50 for the surplus.
		assert_eq!(settle(alice, carol, 2_000, 2_500), (-400, 450, -50));
		assert_eq!((statement(CAROL).long, statement(CAROL).long_credit), (Energy(500), 50));
	});
}

#[test]
fn buyers_are_credited_what_they_did_not_use_and_pay_the_tariff_beyond_what_they_bought() {
	run(|| {
		let (alice, carol) = traded();
		// Alice uses 1,500 of her 2,000 Wh: the 500 left are taken at the long price (50).
		assert_eq!(settle(alice, carol, 1_500, 2_000), (-350, 400, -50));
		// Only what she used counts as bought from the wind.
		assert_eq!(Purchases::get(), vec![(ALICE, OPEN, EnergySource::Wind, Energy(1_500))]);
	});
	run(|| {
		let (alice, carol) = traded();
		// Alice uses 2,600 Wh: the 600 Wh she did not buy pay the tariff, 220 per kWh.
		assert_eq!(settle(alice, carol, 2_600, 2_000), (-532, 400, 132));
		let s = statement(ALICE);
		assert_eq!((s.tariff_energy, s.tariff_cost), (Energy(600), 132));
	});
}

#[test]
fn substituted_values_settle_like_measured_ones_and_say_so() {
	run(|| {
		let (alice, carol) = traded();
		finalize(alice, OPEN, 2_000, 0, Quality::Substituted);
		finalize(carol, OPEN, 0, 2_000, Quality::Interpolated);
		assert_eq!((free(ALICE), free(CAROL)), (START - 400, START + 400));
		System::assert_has_event(
			Event::Settled {
				interval: OPEN,
				meter: alice,
				who: ALICE,
				line: statement(ALICE),
				quality: Some(Quality::Substituted),
			}
			.into(),
		);
	});
}

#[test]
fn positions_without_a_final_value_are_settled_at_the_deadline() {
	run(|| {
		let (alice, carol) = traded();
		let issuance = Balances::total_issuance();
		// Before the deadline (12 intervals) nothing happens.
		at((OPEN.0 as u64 + 11) * INTERVAL_MS);
		Pricing::on_idle(1, Weight::MAX);
		assert_eq!(Unsettled::<Test>::get(OPEN), 2);
		assert_eq!(held(ALICE), 600);
		// Then Alice is charged what she bought, and Carol, with no delivery measured, pays
		// her whole sale as shortfall: 400 earned, 2,000 Wh × 400 = 800 charged.
		at((OPEN.0 as u64 + 12) * INTERVAL_MS);
		Pricing::on_idle(2, Weight::MAX);
		assert_eq!(Unsettled::<Test>::get(OPEN), 0);
		assert_eq!((free(ALICE), free(CAROL)), (START - 400, START - 400));
		assert_eq!(pot(), POT + 800);
		assert_eq!(Balances::total_issuance(), issuance);
		System::assert_has_event(
			Event::Settled {
				interval: OPEN,
				meter: carol,
				who: CAROL,
				line: statement(CAROL),
				quality: None,
			}
			.into(),
		);
		assert!(Book::<Test>::iter_prefix(OPEN).next().is_none());
		// A final value reported after the deadline is not settled again.
		finalize(alice, OPEN, 5_000, 0, Quality::Measured);
		assert_eq!(free(ALICE), START - 400);
	});
}

#[test]
fn cancelled_orders_are_not_settled() {
	run(|| {
		at(NOW);
		set_prices();
		let (alice, bob) = (meter(ALICE, 1), meter(BOB, 1));
		let wind = facility(CAROL, EnergySource::Wind, 1, true);
		bid(ALICE, alice, 2_000, 300);
		let extra = bid(ALICE, alice, 1_000, 400);
		let only = bid(BOB, bob, 1_000, 500);
		ask(CAROL, wind, 2_000, 100);
		assert_ok!(Pricing::cancel_order(RuntimeOrigin::signed(ALICE), extra));
		assert_ok!(Pricing::cancel_order(RuntimeOrigin::signed(BOB), only));
		assert_eq!((held(ALICE), held(BOB)), (600, 0));
		// Bob has no position left.
		assert_eq!(Unsettled::<Test>::get(OPEN), 2);
		assert!(!Positions::<Test>::contains_key(OPEN, bob));
		block_at(NOW);
		block_at(NOW + INTERVAL_MS);
		block_at(NOW + 3 * INTERVAL_MS);
		let issuance = Balances::total_issuance();
		finalize(alice, OPEN, 2_000, 0, Quality::Measured);
		finalize(meter_of_facility(wind), OPEN, 0, 2_000, Quality::Measured);
		// Bob consumed 1,000 Wh without a bid: the zone's tariff, 220 per kWh.
		finalize(bob, OPEN, 1_000, 0, Quality::Measured);
		assert_eq!(free(ALICE), START - 400);
		assert_eq!(free(CAROL), START + 400);
		assert_eq!(free(BOB), START - 220);
		assert_eq!(pot(), POT + 220);
		assert_eq!(Balances::total_issuance(), issuance);
	});
}

#[test]
fn meters_without_orders_pay_the_tariff_and_are_paid_for_export() {
	run(|| {
		at(NOW);
		set_prices();
		block_at(NOW);
		let home = meter(ALICE, 3);
		let roof = meter_of(BOB, 3, MeterKind::Bidirectional);
		let t = IntervalIndex(1_000);
		at(NOW + 3 * INTERVAL_MS);
		// No auction in zone 3: the reference price and the hour's fee, 270 per kWh.
		assert_eq!(Pricing::tariff_without_market(t, ZoneId(3)), PricePerKWh(250 + FEE));
		finalize(home, t, 1_000, 0, Quality::Measured);
		// Bob imports 100 Wh (27) and exports 1,000 unsold (100 at the long price).
		finalize(roof, t, 100, 1_000, Quality::Measured);
		assert_eq!(free(ALICE), START - 270);
		assert_eq!(free(BOB), START + 73);
		assert_eq!(pot(), POT + 197);
		// Nothing metered: nothing settled.
		let quiet = meter(CAROL, 3);
		finalize(quiet, t, 0, 0, Quality::Measured);
		assert!(Statements::<Test>::iter_prefix(CAROL).next().is_none());
	});
}

#[test]
fn what_cannot_be_paid_is_owed_and_what_cannot_be_collected_is_in_arrears() {
	run(|| {
		at(NOW);
		set_prices();
		block_at(NOW);
		at(NOW + 3 * INTERVAL_MS);
		let t = IntervalIndex(1_000);
		// Carol exports 25 kWh unsold (all her connection carries): 1,250,000 at a long price
		// of 50,000; the pot holds 1,000,000.
		assert_ok!(Pricing::set_imbalance_prices(
			RuntimeOrigin::root(),
			ImbalancePrices { short: PricePerKWh(100_000), long: PricePerKWh(50_000) }
		));
		let plant = meter_of(CAROL, 1, MeterKind::Production);
		finalize(plant, t, 0, 25_000, Quality::Measured);
		assert_eq!(free(CAROL), START + POT);
		assert_eq!(pot(), 0);
		assert_eq!(Owed::<Test>::get(CAROL), Some(250_000));
		// Dave has 1,000 and uses 10 kWh at 270: he pays 999 (keeping his account) and owes
		// the rest.
		const DAVE: u64 = 4;
		Balances::set_balance(&DAVE, 1_000);
		let home = meter(DAVE, 1);
		finalize(home, t, 10_000, 0, Quality::Measured);
		assert_eq!(free(DAVE), 1);
		assert_eq!(Arrears::<Test>::get(DAVE), Some(2_700 - 999));
		assert_eq!(pot(), 999);

		// The pot is funded: Carol is paid what she is owed.
		assert_ok!(Pricing::fund_pot(RuntimeOrigin::signed(BOB), 2 * POT));
		assert_ok!(Pricing::settle_account(RuntimeOrigin::signed(CAROL)));
		assert_eq!(free(CAROL), START + POT + 250_000);
		assert_eq!(Owed::<Test>::get(CAROL), None);
		// Dave's arrears are collected once he has the money.
		assert_ok!(Balances::mint_into(&DAVE, 5_000));
		assert_ok!(Pricing::settle_account(RuntimeOrigin::signed(DAVE)));
		assert_eq!(Arrears::<Test>::get(DAVE), None);
		assert_eq!(free(DAVE), 5_001 - 1_701);
		System::assert_last_event(
			Event::Payment { who: DAVE, collected: 1_701, paid: 0, arrears: 0, owed: 0 }.into(),
		);
		assert_noop!(
			Pricing::settle_account(RuntimeOrigin::signed(DAVE)),
			Error::<Test>::NothingToSettle
		);
	});
}

#[test]
fn arrears_are_netted_with_the_next_credit() {
	run(|| {
		at(NOW);
		set_prices();
		block_at(NOW);
		at(NOW + 3 * INTERVAL_MS);
		Arrears::<Test>::insert(BOB, 30);
		// Bob exports 1,000 Wh unsold: 100 credited, 30 of it settles his arrears.
		let roof = meter_of(BOB, 1, MeterKind::Bidirectional);
		finalize(roof, IntervalIndex(1_000), 0, 1_000, Quality::Measured);
		assert_eq!(free(BOB), START + 70);
		assert_eq!(Arrears::<Test>::get(BOB), None);
	});
}

#[test]
fn a_voided_interval_trades_nothing_and_releases_holds() {
	run(|| {
		at(NOW);
		set_prices();
		let alice = meter(ALICE, 1);
		let wind = facility(CAROL, EnergySource::Wind, 1, true);
		bid(ALICE, alice, 2_000, 300);
		ask(CAROL, wind, 2_000, 100);
		block_at(NOW);
		// The chain stops until the interval is over: its book is not cleared.
		block_at(NOW + 4 * INTERVAL_MS);
		System::assert_has_event(Event::IntervalVoided { interval: OPEN, orders: 2 }.into());
		assert!(Clearings::<Test>::get(OPEN, ZoneId(1)).is_none());
		finalize(alice, OPEN, 2_000, 0, Quality::Measured);
		finalize(meter_of_facility(wind), OPEN, 0, 2_000, Quality::Measured);
		// Alice pays the tariff of an interval without a market (270), Carol is paid the long
		// price for what she fed in (100 per kWh).
		assert_eq!((held(ALICE), free(ALICE)), (0, START - 540));
		assert_eq!(free(CAROL), START + 200);
		Pricing::on_idle(System::block_number(), Weight::MAX);
		assert!(Book::<Test>::iter_prefix(OPEN).next().is_none());
	});
}

#[test]
fn a_value_final_before_the_hook_reached_its_interval_settles_without_trades() {
	run(|| {
		at(NOW);
		set_prices();
		let alice = meter(ALICE, 1);
		bid(ALICE, alice, 2_000, 300);
		block_at(NOW);
		// The chain resumes long after: metering finalizes the interval in the first block,
		// before the market's hook has come to it.
		at(NOW + 9 * INTERVAL_MS);
		finalize(alice, OPEN, 1_000, 0, Quality::Substituted);
		assert_eq!((held(ALICE), free(ALICE)), (0, START - 270));
		block_at(NOW + 9 * INTERVAL_MS);
		System::assert_has_event(Event::IntervalVoided { interval: OPEN, orders: 1 }.into());
	});
}

#[test]
fn the_tariff_adds_fees_congestion_and_scarcity() {
	run(|| {
		at(NOW);
		set_prices();
		// Zone 2's wind can send zone 1 at most 1,000 Wh a quarter-hour; zone 1 wants 2,000.
		let link =
			ZoneLink { a: ZoneId(1), b: ZoneId(2), a_to_b: Power(4_000), b_to_a: Power(4_000) };
		assert_ok!(Grid::set_links(RuntimeOrigin::root(), BoundedVec::truncate_from(vec![link])));
		let alice = meter(ALICE, 1);
		let wind = facility(CAROL, EnergySource::Wind, 2, true);
		bid(ALICE, alice, 2_000, 300);
		ask(CAROL, wind, 3_000, 50);
		block_at(NOW);
		block_at(NOW + INTERVAL_MS);
		let one = Clearings::<Test>::get(OPEN, ZoneId(1)).unwrap();
		let two = Clearings::<Test>::get(OPEN, ZoneId(2)).unwrap();
		// Zone 1: Alice's bid, half filled, sets the price (300); fee 20, congestion 30 (it
		// imports at the limit), and half the scarcity surcharge (half its demand unmet).
		assert_eq!(
			(one.price, one.demanded, one.offered),
			(Some(PricePerKWh(300)), Energy(2_000), Energy(0))
		);
		assert_eq!(one.tariff, PricePerKWh(300 + FEE + 30 + 500));
		// Zone 2 exports: no congestion, no scarcity.
		assert_eq!((two.price, two.tariff), (Some(PricePerKWh(50)), PricePerKWh(50 + FEE)));
		// The cap bounds the tariff.
		assert_ok!(Pricing::set_price_limits(
			RuntimeOrigin::root(),
			crate::PriceLimits { floor: PricePerKWh(0), cap: PricePerKWh(260) }
		));
		assert_eq!(Pricing::tariff_without_market(OPEN, ZoneId(1)), PricePerKWh(260));
	});
}

#[test]
fn governance_sets_tariffs_and_imbalance_prices_within_bounds() {
	run(|| {
		let tariff = TariffParameters { reference: PricePerKWh(1), ..Default::default() };
		assert_noop!(Pricing::set_tariff(RuntimeOrigin::signed(ALICE), tariff), BadOrigin);
		let mut dear = tariff;
		dear.grid_fees[7] = PricePerKWh(MAX_PRICE.0 + 1);
		assert_noop!(Pricing::set_tariff(RuntimeOrigin::root(), dear), Error::<Test>::PriceTooHigh);
		assert_ok!(Pricing::set_tariff(RuntimeOrigin::signed(OPERATOR), tariff));
		assert_eq!(Tariff::<Test>::get(), tariff);
		System::assert_last_event(Event::TariffSet { tariff }.into());

		let prices = ImbalancePrices { short: PricePerKWh(10), long: PricePerKWh(5) };
		assert_noop!(
			Pricing::set_imbalance_prices(RuntimeOrigin::signed(ALICE), prices),
			BadOrigin
		);
		assert_noop!(
			Pricing::set_imbalance_prices(
				RuntimeOrigin::root(),
				ImbalancePrices { short: PricePerKWh(5), long: PricePerKWh(10) }
			),
			Error::<Test>::BadImbalancePrices
		);
		assert_noop!(
			Pricing::set_imbalance_prices(
				RuntimeOrigin::root(),
				ImbalancePrices { short: PricePerKWh(MAX_PRICE.0 + 1), long: PricePerKWh(0) }
			),
			Error::<Test>::PriceTooHigh
		);
		assert_ok!(Pricing::set_imbalance_prices(RuntimeOrigin::root(), prices));
		assert_eq!(Imbalance::<Test>::get(), prices);

		assert_noop!(
			Pricing::set_price_limits(
				RuntimeOrigin::root(),
				crate::PriceLimits { floor: PricePerKWh(0), cap: PricePerKWh(MAX_PRICE.0 + 1) }
			),
			Error::<Test>::PriceTooHigh
		);
	});
}

#[test]
fn funding_the_pot_needs_an_amount_the_funder_has() {
	run(|| {
		assert_noop!(Pricing::fund_pot(RuntimeOrigin::signed(ALICE), 0), Error::<Test>::ZeroAmount);
		assert_noop!(
			Pricing::fund_pot(RuntimeOrigin::signed(ALICE), START),
			Error::<Test>::CannotFund
		);
		assert_ok!(Pricing::fund_pot(RuntimeOrigin::signed(ALICE), 500));
		assert_eq!(pot(), POT + 500);
		System::assert_last_event(Event::PotFunded { who: ALICE, amount: 500 }.into());
	});
}

#[test]
fn bids_need_a_consumption_meter_and_a_meter_trades_for_one_account() {
	run(|| {
		at(NOW);
		let plant = meter_of(ALICE, 1, MeterKind::Production);
		assert_noop!(
			Pricing::place_bid(
				RuntimeOrigin::signed(ALICE),
				plant,
				OPEN,
				Energy(1),
				PricePerKWh(1)
			),
			Error::<Test>::MeterCannotImport
		);
		// The meter changes hands with a bid of Alice's on it: Bob may not add his.
		let m = meter(ALICE, 1);
		bid(ALICE, m, 100, 100);
		TestMeters::mutate(|ms| ms.iter_mut().filter(|x| x.id == m).for_each(|x| x.owner = BOB));
		assert_noop!(
			Pricing::place_bid(RuntimeOrigin::signed(BOB), m, OPEN, Energy(1), PricePerKWh(1)),
			Error::<Test>::MeterTradedByOther
		);
	});
}

#[test]
fn try_state_catches_money_leaving_the_pot() {
	ext(INTERVAL_MS).execute_with(|| {
		assert_ok!(Pricing::do_try_state());
		let _ = <Balances as frame_support::traits::fungible::MutateHold<u64>>::release(
			&RuntimeHoldReason::Pricing(HoldReason::Pot),
			&MARKET,
			1,
			frame_support::traits::tokens::Precision::Exact,
		);
		assert!(Pricing::do_try_state().is_err());
	});
}
