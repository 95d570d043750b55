//! Market integrity: each test plays an attack of issue 21 on settlement as the attacker
//! would, and checks that the attacker gains nothing, honest members lose nothing and money
//! is conserved (total issuance, and the pot's books by `try_state`).

use super::orders::{at, bid, block_at, held, order, NOW, OPEN};
use crate::{
	mock::*, Book, Error, Event, MeterPositions, Positions, Quarantine, SettledByDeadline,
	Unsettled,
};
use daeg_primitives::{
	consumption::{Anomaly, Correction, IntervalRecord, MeterKind, OnFinalInterval, Quality},
	pricing::{ImbalancePrices, MarketStanding, TariffParameters},
	Energy, EnergySource, IntervalIndex, MeterId, PricePerKWh,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, Mutate},
		Hooks,
	},
	weights::Weight,
};
use proptest::prelude::*;
use sp_runtime::traits::BadOrigin;

/// A certifier (see [`Certifiers`]).
const CERTIFIER: u64 = 50;

fn total(who: u64) -> u128 {
	Balances::total_balance(&who)
}

fn pot() -> u128 {
	crate::Pot::<Test>::get().funded + crate::Pot::<Test>::get().collected
		- crate::Pot::<Test>::get().paid
}

/// Tariff 250 + 20 per kWh, imbalance short 400 and long 100 (above the clearing prices the
/// attacks use, as on the dev chains).
fn prices() {
	assert_ok!(Pricing::set_tariff(
		RuntimeOrigin::root(),
		TariffParameters {
			reference: PricePerKWh(250),
			grid_fees: [PricePerKWh(20); 24],
			..Default::default()
		}
	));
	assert_ok!(Pricing::set_imbalance_prices(
		RuntimeOrigin::root(),
		ImbalancePrices { short: PricePerKWh(400), long: PricePerKWh(100) }
	));
}

/// `meter`'s final value in `interval`, flagged with `anomaly`, as the consumption pallet's pass
/// reports it.
fn flagged(meter: MeterId, interval: IntervalIndex, imported: u64, exported: u64) {
	let record = IntervalRecord {
		interval,
		imported: Energy(imported),
		exported: Energy(exported),
		quality: Quality::Measured,
		anomaly: Some(Anomaly::Jump),
	};
	FinalValues::mutate(|v| v.push((meter, record)));
	<Pricing as OnFinalInterval>::on_final(meter, &record);
}

#[test]
fn bidding_cheap_and_consuming_nothing_earns_nothing() {
	run(|| {
		at(NOW);
		prices();
		// The attacker bids 10 kWh at 50; an honest wind farm asks at 10: the interval clears
		// at 30, below the long price of 100.
		let attacker = meter(ALICE, 1);
		let wind = facility(CAROL, EnergySource::Wind, 1, true);
		let b = bid(ALICE, attacker, 10_000, 50);
		super::orders::ask(CAROL, wind, 10_000, 10);
		block_at(NOW);
		block_at(NOW + INTERVAL_MS);
		assert_eq!(order(b).filled, Energy(10_000));
		block_at(NOW + 3 * INTERVAL_MS);
		let (before, carol) = (total(ALICE), total(CAROL));
		let issuance = Balances::total_issuance();
		finalize(attacker, OPEN, 0, 0, Quality::Measured);
		finalize(meter_of_facility(wind), OPEN, 0, 10_000, Quality::Measured);
		// The unused 10 kWh are taken back at the clearing price: the attacker is even.
		assert!(total(ALICE) <= before, "the attacker gains nothing");
		assert_eq!(total(CAROL), carol + 300, "the honest seller is paid her sale");
		assert_eq!(Balances::total_issuance(), issuance);
	});
}

#[test]
fn forged_export_is_paid_at_most_what_the_connection_carries() {
	run(|| {
		at(NOW);
		prices();
		block_at(NOW);
		at(NOW + 3 * INTERVAL_MS);
		let t = IntervalIndex(1_000);
		// A prosumer's meter (100 kW) reports 10 GWh of export in a quarter-hour.
		let roof = meter_of(BOB, 1, MeterKind::Bidirectional);
		let before = total(BOB);
		let issuance = Balances::total_issuance();
		finalize(roof, t, 0, 10_000_000_000, Quality::Measured);
		// Credited 25 kWh (100 kW for 15 minutes) at the long price: 2,500, not 1,000,000.
		assert_eq!(total(BOB), before + 2_500);
		assert_eq!(crate::Owed::<Test>::get(BOB), None);
		assert_eq!(pot(), POT - 2_500);
		assert_eq!(Balances::total_issuance(), issuance);
	});
}

#[test]
fn substituted_export_is_never_paid_as_delivery() {
	run(|| {
		at(NOW);
		prices();
		let wind = facility(CAROL, EnergySource::Wind, 1, true);
		let alice = meter(ALICE, 1);
		bid(ALICE, alice, 2_000, 300);
		super::orders::ask(CAROL, wind, 2_000, 100);
		block_at(NOW);
		block_at(NOW + INTERVAL_MS);
		block_at(NOW + 3 * INTERVAL_MS);
		let carol = total(CAROL);
		finalize(alice, OPEN, 2_000, 0, Quality::Measured);
		// The plant's meter went silent: its export is an estimate.
		finalize(meter_of_facility(wind), OPEN, 0, 2_000, Quality::Substituted);
		// Undelivered: 400 earned at the clearing price of 200, 2,000 Wh × 400 charged.
		assert_eq!(total(CAROL), carol - 400);
		// A meter without orders is not paid for estimated export either.
		let roof = meter_of(BOB, 2, MeterKind::Bidirectional);
		let bob = total(BOB);
		finalize(roof, IntervalIndex(1_000), 0, 5_000, Quality::Substituted);
		assert_eq!(total(BOB), bob);
	});
}

#[test]
fn flagged_values_are_held_until_released_and_certifiers_do_not_release_their_own() {
	run(|| {
		at(NOW);
		prices();
		Certifiers::set(vec![CERTIFIER]);
		// The certifier owns a prosumer meter with a bid on it.
		let own = meter_of(CERTIFIER, 1, MeterKind::Bidirectional);
		let wind = facility(CAROL, EnergySource::Wind, 1, true);
		Balances::set_balance(&CERTIFIER, 1_000_000);
		bid(CERTIFIER, own, 2_000, 300);
		super::orders::ask(CAROL, wind, 2_000, 100);
		block_at(NOW);
		block_at(NOW + INTERVAL_MS);
		block_at(NOW + 3 * INTERVAL_MS);
		let (before, pot_before) = (total(CERTIFIER), pot());
		// A jump: 2 kWh in, 20 kWh out.
		flagged(own, OPEN, 2_000, 20_000);
		System::assert_has_event(
			Event::ValueQuarantined {
				interval: OPEN,
				meter: own,
				who: CERTIFIER,
				record: FinalValues::get().last().unwrap().1,
			}
			.into(),
		);
		// Nothing moved; the bid's hold stays held; the position is counted out.
		assert_eq!((total(CERTIFIER), pot()), (before, pot_before));
		assert_eq!(held(CERTIFIER), 600);
		assert!(!Positions::<Test>::contains_key(OPEN, own));
		assert!(!Pricing::has_positions(own));
		let listed = Pricing::quarantined();
		assert_eq!(listed.len(), 1);
		assert_eq!((listed[0].0, listed[0].1, listed[0].2.bought), (OPEN, own, Energy(2_000)));

		// The deadline passes: the value stays held, and the interval's book still goes.
		at((OPEN.0 as u64 + 20) * INTERVAL_MS);
		Pricing::on_idle(System::block_number(), Weight::MAX);
		assert!(Book::<Test>::iter_prefix(OPEN).next().is_none());
		assert_eq!(held(CERTIFIER), 600);

		let release = |who: u64, corrected| {
			Pricing::release_quarantined(RuntimeOrigin::signed(who), OPEN, own, corrected)
		};
		assert_noop!(release(CERTIFIER, None), Error::<Test>::OwnAsset);
		assert_noop!(release(ALICE, None), BadOrigin);
		assert_noop!(
			Pricing::release_quarantined(RuntimeOrigin::root(), OPEN, MeterId(99), None),
			Error::<Test>::NotQuarantined
		);
		// The operators checked the meter: it exported 500 Wh, not 20 kWh.
		let issuance = Balances::total_issuance();
		assert_ok!(release(OPERATOR, Some((Energy(2_000), Energy(500)))));
		System::assert_has_event(
			Event::QuarantineReleased {
				interval: OPEN,
				meter: own,
				corrected: Some((Energy(2_000), Energy(500))),
			}
			.into(),
		);
		// 2 kWh bought at 200 (400), 500 Wh unsold at the long price (50).
		assert_eq!(total(CERTIFIER), before - 400 + 50);
		assert_eq!(held(CERTIFIER), 0);
		assert_eq!(Balances::total_issuance(), issuance);
		assert!(Quarantine::<Test>::iter().next().is_none());
		assert_noop!(release(OPERATOR, None), Error::<Test>::NotQuarantined);
	});
}

#[test]
fn positions_whose_orders_are_gone_fail_closed() {
	run(|| {
		at(NOW);
		prices();
		let alice = meter(ALICE, 1);
		bid(ALICE, alice, 2_000, 300);
		block_at(NOW);
		block_at(NOW + INTERVAL_MS);
		block_at(NOW + 3 * INTERVAL_MS);
		// The book lost its page (a bug elsewhere): what Alice traded is unknown.
		Book::<Test>::remove(OPEN, 0);
		crate::BookLen::<Test>::remove(OPEN);
		let (before, pot_before) = (total(ALICE), pot());
		finalize(alice, OPEN, 2_000, 0, Quality::Measured);
		// Nothing is charged or paid, the position's hold goes back to Alice (the position
		// knows it without the orders), and the operators are told.
		System::assert_has_event(
			Event::SettlementFailed { interval: OPEN, meter: alice, who: ALICE, released: 600 }
				.into(),
		);
		assert_eq!((total(ALICE), pot()), (before, pot_before));
		assert_eq!(held(ALICE), 0);
		assert_eq!(Unsettled::<Test>::get(OPEN), 0);
		assert_ok!(Pricing::do_try_state());
	});
}

#[test]
fn a_value_final_after_the_deadline_settles_a_meter_without_orders_but_never_twice() {
	run(|| {
		at(NOW);
		prices();
		let alice = meter(ALICE, 1);
		let home = meter(BOB, 1);
		bid(ALICE, alice, 2_000, 300);
		block_at(NOW);
		block_at(NOW + INTERVAL_MS);
		// Long after the deadline: Alice's position settles without a value, as bought.
		at((OPEN.0 as u64 + 30) * INTERVAL_MS);
		Pricing::on_idle(System::block_number(), Weight::MAX);
		assert!(SettledByDeadline::<Test>::contains_key(OPEN, alice));
		let (alice_before, bob_before) = (total(ALICE), total(BOB));
		// Then the values turn final: Alice's is not settled again; Bob, who had no orders,
		// pays his consumption at the tariff however late it is.
		finalize(alice, OPEN, 5_000, 0, Quality::Measured);
		finalize(home, OPEN, 1_000, 0, Quality::Measured);
		assert_eq!(total(ALICE), alice_before);
		assert!(!SettledByDeadline::<Test>::contains_key(OPEN, alice));
		assert!(total(BOB) < bob_before);
	});
}

#[test]
fn meters_with_positions_are_known_to_the_consumption_pallet() {
	run(|| {
		at(NOW);
		let m = meter(ALICE, 1);
		assert!(!Pricing::has_positions(m));
		let id = bid(ALICE, m, 100, 100);
		assert!(Pricing::has_positions(m));
		assert_eq!(MeterPositions::<Test>::get(m), 1);
		assert_ok!(Pricing::cancel_order(RuntimeOrigin::signed(ALICE), id));
		assert!(!Pricing::has_positions(m));
		assert!(!Pricing::in_arrears(&ALICE));
		crate::Arrears::<Test>::insert(ALICE, 5);
		assert!(Pricing::in_arrears(&ALICE));
		crate::Arrears::<Test>::remove(ALICE);
	});
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

	/// Random bids and asks, prices and metered values (short and long of every position,
	/// measured and estimated): settlement conserves money, releases every hold, and no
	/// account is paid more than what its meter measured of its position is worth at the
	/// clearing price, plus unsold export at the long price.
	#[test]
	fn settlement_conserves_money_and_pays_no_more_than_was_measured(
		orders in proptest::collection::vec((any::<bool>(), 1u64..20_000, 1u128..1_000), 1..6),
		metered in proptest::collection::vec((0u64..30_000, 0u64..30_000, any::<bool>()), 6),
		short in 0u128..2_000, long in 0u128..2_000,
	) {
		ext(INTERVAL_MS).execute_with(|| -> Result<(), TestCaseError> {
			at(NOW);
			assert_ok!(Pricing::set_imbalance_prices(
				RuntimeOrigin::root(),
				ImbalancePrices { short: PricePerKWh(short.max(long)), long: PricePerKWh(short.min(long)) }
			));
			let mut meters = Vec::new();
			for (i, (buy, energy, price)) in orders.iter().enumerate() {
				let who = 10 + i as u64;
				Balances::set_balance(&who, 1_000_000_000);
				if *buy {
					let m = meter_of(who, 1, MeterKind::Bidirectional);
					bid(who, m, *energy, *price);
					meters.push((who, m));
				} else {
					let f = facility(who, EnergySource::Wind, 1, true);
					super::orders::ask(who, f, *energy, *price);
					meters.push((who, meter_of_facility(f)));
				}
			}
			block_at(NOW);
			block_at(NOW + INTERVAL_MS);
			block_at(NOW + 3 * INTERVAL_MS);
			let issuance = Balances::total_issuance();
			let before: Vec<u128> = meters.iter().map(|(w, _)| total(*w)).collect();
			let pot_before = pot();
			let price = crate::Clearings::<Test>::get(OPEN, daeg_primitives::ZoneId(1))
				.and_then(|c| c.price)
				.unwrap_or_default();
			for ((who, m), (imported, exported, measured)) in meters.iter().zip(metered.iter()) {
				let quality = if *measured { Quality::Measured } else { Quality::Substituted };
				finalize(*m, OPEN, *imported, *exported, quality);
				assert_eq!(held(*who), 0);
			}
			assert_eq!(Balances::total_issuance(), issuance);
			let mut moved: i128 = 0;
			for (((who, m), (imported, exported, measured)), b) in
				meters.iter().zip(metered.iter()).zip(before.iter())
			{
				let change = total(*who) as i128 - *b as i128;
				moved += change;
				let position = Positions::<Test>::get(OPEN, m);
				prop_assert!(position.is_none());
				// What the position traded, from the statement event.
				let line = System::events().into_iter().find_map(|r| match r.event {
					RuntimeEvent::Pricing(Event::Settled { meter, line, .. }) if meter == *m => Some(line),
					_ => None,
				}).expect("settled");
				let exported = if *measured { (*exported).min(25_000) } else { 0 };
				let delivered = exported.min(line.sold.0) as i128;
				let used = (*imported).min(line.bought.0) as i128;
				let surplus = exported.saturating_sub(line.sold.0) as i128;
				let worth = price.0 as i128 * (delivered - used) + short.min(long) as i128 * surplus;
				prop_assert!(change * 1_000 <= worth, "paid {} for {} measured", change, worth);
			}
			prop_assert_eq!(moved + (pot() as i128 - pot_before as i128), 0);
			prop_assert!(Pricing::do_try_state().is_ok());
			Ok(())
		})?;
	}
}

/// A true-up of `meter`'s final substitutes from `from` to `to` by a reading in `at`.
fn true_up(
	meter: MeterId,
	at: IntervalIndex,
	(from, to): (u32, u32),
	counted: (u64, u64),
	measured: (u64, u64),
	anomaly: Option<Anomaly>,
) {
	let correction = Correction {
		from: IntervalIndex(from),
		to: IntervalIndex(to),
		counted: (Energy(counted.0), Energy(counted.1)),
		measured: (Energy(measured.0), Energy(measured.1)),
		anomaly,
	};
	<Pricing as OnFinalInterval>::on_correction(meter, at, &correction);
}

#[test]
fn a_silent_meter_pays_what_it_used_and_is_paid_what_it_delivered_but_never_gains() {
	run(|| {
		at(NOW);
		prices();
		let issuance = Balances::total_issuance();
		let home = meter(ALICE, 1);
		let plant = meter_of_facility(facility(CAROL, EnergySource::Solar, 1, true));
		let (alice, carol) = (total(ALICE), total(CAROL));
		let at = OPEN;
		// Substitutes counted 1 kWh, the reading says 1.5: the half kWh is charged at the
		// higher of the tariff (270) and the short price (400), so that staying silent through
		// dear hours never pays.
		true_up(home, at, (990, 991), (1_000, 0), (1_500, 0), None);
		assert_eq!(total(ALICE), alice - 200);
		// Counted 1.5, measured 1: the half kWh is refunded at the lower of the tariff and the
		// long price (100).
		true_up(home, at, (992, 993), (1_500, 0), (1_000, 0), None);
		assert_eq!(total(ALICE), alice - 200 + 50);
		// A producer's substitutes were never paid: the export the reading measured for them
		// is, at the long price, and no more than the connection carried (2 × 25 kWh).
		true_up(plant, at, (990, 991), (0, 600), (0, 600), None);
		assert_eq!(total(CAROL), carol + 60);
		true_up(plant, at, (992, 993), (0, 0), (0, 90_000), None);
		assert_eq!(total(CAROL), carol + 60 + 5_000);
		// A flagged reading is credited nothing; what it owes, it pays.
		true_up(plant, at, (994, 995), (2_000, 0), (0, 9_000), Some(Anomaly::Jump));
		true_up(home, at, (994, 995), (0, 0), (100, 0), Some(Anomaly::Jump));
		assert_eq!(total(CAROL), carol + 5_060);
		assert_eq!(total(ALICE), alice - 150 - 40);
		// The lines sit in the statement of the reading's day, and the money in the pot.
		let day = at.day(INTERVAL_MS).unwrap();
		let statements = Pricing::statements(ALICE, day, day);
		let [(_, statement)] = statements.days[..] else { panic!("one day's statement") };
		assert_eq!((statement.tariff_energy, statement.long), (Energy(600), Energy(500)));
		assert_eq!(Balances::total_issuance(), issuance);
		assert_ok!(Pricing::do_try_state());
	});
}
