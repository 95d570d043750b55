//! Emergencies and circuit breakers: halting and resuming a zone's market, islanding a
//! microgrid, shedding load by priority class, forcing storage to discharge, price caps, and
//! each breaker tripping.

use super::*;
use crate::{dispatch::Action, Error, Event, Status};
use daeg_primitives::{
	balancing::{Breaker, BreakerSettings, GridControl, Halt},
	consumption::{Anomaly, PriorityClass, Quality},
};
use frame_support::assert_noop;
use pallet_pricing::PriceLimits;
use sp_runtime::traits::BadOrigin;

const ALICE: u64 = 1;
const BOB: u64 = 2;
const CAROL: u64 = 3;

fn halted(zone: u16) -> Option<Halt> {
	Status::<Test>::get(ZoneId(zone)).halted
}

#[test]
fn a_halted_market_trades_nothing_and_its_consumers_pay_the_emergency_tariff() {
	run(|| {
		grid();
		assert_ok!(Balancing::set_emergency_tariff(operators(), PricePerKWh(900)));
		let wind = facility(CAROL, EnergySource::Wind, 0);
		let alice = home(ALICE, 0);
		ask(CAROL, wind, 1_000, 100);
		bid(ALICE, alice, 1_000, 300);
		assert_noop!(Balancing::halt_market(RuntimeOrigin::signed(ALICE), ZoneId(0)), BadOrigin);
		assert_ok!(Balancing::halt_market(operators(), ZoneId(0)));
		assert!(has(Event::MarketHalted { zone: ZoneId(0), by: Halt::Operators }));
		assert_noop!(Balancing::halt_market(operators(), ZoneId(0)), Error::<Test>::AlreadyHalted);
		clear();
		let c = pallet_pricing::Clearings::<Test>::get(OPEN, ZoneId(0)).unwrap();
		assert_eq!((c.price, c.bought, c.tariff), (None, Energy(0), PricePerKWh(900)));

		after_open();
		let before = balance(ALICE);
		finalize(alice, OPEN, 1_000, 0);
		assert_eq!(before - balance(ALICE), 900);

		assert_ok!(Balancing::resume_market(operators(), ZoneId(0)));
		assert_eq!(halted(0), None);
		assert_noop!(Balancing::resume_market(operators(), ZoneId(0)), Error::<Test>::NotHalted);
	});
}

#[test]
fn an_islanded_microgrid_clears_alone_until_reconnected() {
	run(|| {
		grid();
		let cheap = facility(CAROL, EnergySource::Wind, 0);
		let local = facility(BOB, EnergySource::Solar, 2);
		let alice = home(ALICE, 2);
		ask(CAROL, cheap, 1_000, 100);
		ask(BOB, local, 1_000, 200);
		bid(ALICE, alice, 1_000, 300);
		// Only a microgrid, and only in an emergency.
		assert_noop!(Balancing::island(operators(), ZoneId(1)), Error::<Test>::NotMicrogrid);
		assert_noop!(Balancing::island(operators(), ZoneId(2)), Error::<Test>::NoEmergency);
		assert_ok!(Balancing::declare_emergency(operators(), ZoneId(2)));
		assert_noop!(
			Balancing::declare_emergency(operators(), ZoneId(2)),
			Error::<Test>::AlreadyEmergency
		);
		assert_ok!(Balancing::island(operators(), ZoneId(2)));
		assert_noop!(Balancing::island(operators(), ZoneId(2)), Error::<Test>::Islanded);
		assert!(Balancing::market(ZoneId(2)).isolated);
		clear();
		// Its own solar sold (between 200 and 300); zone 0's cheaper wind did not come in.
		assert_eq!(price(2), Some(PricePerKWh(250)));
		assert_eq!(report(0, OPEN).sold, Energy(0));
		assert_eq!(report(2, OPEN).sold, Energy(1_000));

		assert_noop!(Balancing::end_emergency(operators(), ZoneId(2)), Error::<Test>::Islanded);
		assert_ok!(Balancing::reconnect(operators(), ZoneId(2)));
		assert_noop!(Balancing::reconnect(operators(), ZoneId(2)), Error::<Test>::NotIslanded);
		assert_ok!(Balancing::end_emergency(operators(), ZoneId(2)));
		assert_noop!(Balancing::end_emergency(operators(), ZoneId(2)), Error::<Test>::NoEmergency);
		assert!(
			has(Event::Reconnected { zone: ZoneId(2) })
				&& has(Event::EmergencyEnded { zone: ZoneId(2) })
		);

		// Reconnected, the cheap wind reaches the microgrid again.
		let next = IntervalIndex(OPEN.0 + 1);
		ask_at(next, CAROL, cheap, 1_000, 100);
		bid_at(next, ALICE, alice, 1_000, 300);
		block_at(NOW + 2 * INTERVAL_MS);
		assert_eq!(report(0, next).sold, Energy(1_000));
	});
}

#[test]
fn load_is_shed_least_critical_class_first() {
	run(|| {
		grid();
		let classes = [
			(11, PriorityClass::Deferrable, 500),
			(12, PriorityClass::Standard, 1_000),
			(13, PriorityClass::Essential, 800),
			(14, PriorityClass::Critical, 300),
		];
		Priorities::set(classes.iter().map(|(w, c, _)| (*w, *c)).collect());
		let meters: Vec<_> = classes.iter().map(|(w, _, e)| (home(*w, 0), *e)).collect();
		for (m, e) in &meters {
			finalize(*m, IntervalIndex(995), *e, 0);
		}
		assert_noop!(
			Balancing::shed_load(operators(), ZoneId(0), Energy(1_200)),
			Error::<Test>::NoEmergency
		);
		assert_ok!(Balancing::declare_emergency(operators(), ZoneId(0)));
		assert_noop!(
			Balancing::shed_load(operators(), ZoneId(0), Energy(0)),
			Error::<Test>::NothingToShed
		);
		let shed = |energy| {
			assert_ok!(Balancing::shed_load(operators(), ZoneId(0), Energy(energy)));
			Status::<Test>::get(ZoneId(0)).shed
		};
		// 500 Wh: the deferrable loads alone.
		assert_eq!(shed(500), Some(PriorityClass::Deferrable));
		// 1.2 kWh: the standard ones too (1.5 kWh in all).
		assert_eq!(shed(1_200), Some(PriorityClass::Standard));
		assert!(has(Event::LoadShed {
			zone: ZoneId(0),
			up_to: PriorityClass::Standard,
			load: Energy(1_500)
		}));
		// 2.3 kWh: the essential ones too; critical loads only when nothing else suffices.
		assert_eq!(shed(2_300), Some(PriorityClass::Essential));
		assert_eq!(shed(2_301), Some(PriorityClass::Critical));
		// Ending the emergency restores them.
		assert_ok!(Balancing::end_emergency(operators(), ZoneId(0)));
		assert_eq!(Status::<Test>::get(ZoneId(0)).shed, None);
	});
}

#[test]
fn forced_storage_discharges_whatever_the_balance_and_a_cap_bounds_prices() {
	run(|| {
		grid();
		let (unit, _) = battery(BOB, 0, 5_000);
		let wind = facility(CAROL, EnergySource::Wind, 0);
		let alice = home(ALICE, 0);
		ask(CAROL, wind, 1_000, 100);
		bid(ALICE, alice, 1_000, 500);
		assert_noop!(
			Balancing::force_discharge(operators(), ZoneId(0)),
			Error::<Test>::NoEmergency
		);
		assert_ok!(Balancing::declare_emergency(operators(), ZoneId(0)));
		assert_ok!(Balancing::force_discharge(operators(), ZoneId(0)));
		assert_noop!(
			Balancing::set_price_cap(RuntimeOrigin::signed(ALICE), ZoneId(0), Some(PricePerKWh(1))),
			BadOrigin
		);
		assert_ok!(Balancing::set_price_cap(operators(), ZoneId(0), Some(PricePerKWh(250))));
		clear();
		// Balanced, yet the battery delivers all it can; the price (300) is capped at 250.
		assert!(has(Event::Scheduled {
			interval: OPEN,
			unit,
			action: Action::Discharge(Energy(1_000))
		}));
		assert_eq!(price(0), Some(PricePerKWh(250)));
		assert_eq!(
			pallet_pricing::Clearings::<Test>::get(OPEN, ZoneId(0)).unwrap().tariff,
			PricePerKWh(250)
		);
	});
}

#[test]
fn the_price_breaker_trips_after_intervals_at_the_cap_and_only_the_operators_resume() {
	run(|| {
		grid();
		let settings = BreakerSettings { cap_intervals: Some(2), ..Default::default() };
		assert_noop!(Balancing::set_breakers(RuntimeOrigin::signed(ALICE), settings), BadOrigin);
		assert_ok!(Balancing::set_breakers(operators(), settings));
		assert_ok!(Pricing::set_price_limits(
			operators(),
			PriceLimits { floor: PricePerKWh(0), cap: PricePerKWh(500) }
		));
		let wind = facility(CAROL, EnergySource::Wind, 0);
		let alice = home(ALICE, 0);
		let next = IntervalIndex(OPEN.0 + 1);
		for i in [OPEN, next] {
			ask_at(i, CAROL, wind, 1_000, 500);
			bid_at(i, ALICE, alice, 1_000, 500);
		}
		clear();
		assert_eq!((price(0), halted(0)), (Some(PricePerKWh(500)), None));
		assert_eq!(Status::<Test>::get(ZoneId(0)).at_cap, 1);
		block_at(NOW + 2 * INTERVAL_MS);
		assert_eq!(halted(0), Some(Halt::Breaker(Breaker::PriceAtCap)));
		assert!(has(Event::BreakerTripped {
			zone: ZoneId(0),
			interval: next,
			breaker: Breaker::PriceAtCap
		}));
		assert_noop!(Balancing::resume_market(RuntimeOrigin::signed(ALICE), ZoneId(0)), BadOrigin);
		assert_ok!(Balancing::resume_market(operators(), ZoneId(0)));
		assert_eq!(Status::<Test>::get(ZoneId(0)).at_cap, 0);
	});
}

#[test]
fn the_imbalance_breaker_trips_when_too_much_is_left_uncovered() {
	run(|| {
		grid();
		assert_ok!(Balancing::set_breakers(
			operators(),
			BreakerSettings {
				imbalance_share: Some(Perbill::from_percent(50)),
				..Default::default()
			}
		));
		let wind = facility(CAROL, EnergySource::Wind, 1);
		let alice = home(ALICE, 1);
		let bob = home(BOB, 0);
		// Zone 1: 2 kWh demanded, 1.2 kWh of wind: 40 % unserved, below the threshold.
		ask(CAROL, wind, 1_200, 100);
		bid(ALICE, alice, 2_000, 300);
		// Zone 0: 1 kWh demanded below the wind's price, nothing else offered: 100 %.
		bid(BOB, bob, 1_000, 50);
		clear();
		assert_eq!(report(1, OPEN).unserved, Energy(800));
		assert_eq!((halted(0), halted(1)), (Some(Halt::Breaker(Breaker::Imbalance)), None));
	});
}

#[test]
fn the_anomaly_breaker_trips_when_too_many_meters_are_anomalous() {
	run(|| {
		grid();
		assert_ok!(Balancing::set_breakers(
			operators(),
			BreakerSettings {
				anomalous_share: Some(Perbill::from_percent(50)),
				min_meters: 3,
				..Default::default()
			}
		));
		let m: Vec<_> = (0..3).map(|k| home(10 + k, 1)).collect();
		let i = IntervalIndex(995);
		finalize_with(m[0], i, 100, 0, Quality::Measured, Some(Anomaly::Jump));
		finalize_with(m[1], i, 100, 0, Quality::Measured, Some(Anomaly::Jump));
		// Two of two are anomalous, but three meters are needed to judge.
		assert_eq!(halted(1), None);
		finalize(m[2], i, 100, 0);
		assert_eq!(halted(1), Some(Halt::Breaker(Breaker::AnomalousMeters)));
		assert_eq!((report(1, i).meters, report(1, i).anomalous), (3, 2));
		assert!(has(Event::BreakerTripped {
			zone: ZoneId(1),
			interval: i,
			breaker: Breaker::AnomalousMeters
		}));
	});
}

#[test]
fn emergency_calls_name_a_zone_of_the_grid() {
	run(|| {
		for call in [
			Balancing::declare_emergency(operators(), ZoneId(4)),
			Balancing::halt_market(operators(), ZoneId(4)),
			Balancing::set_price_cap(operators(), ZoneId(4), None),
		] {
			assert_eq!(call, Err(Error::<Test>::UnknownZone.into()));
		}
		assert_noop!(Balancing::end_emergency(RuntimeOrigin::signed(ALICE), ZoneId(0)), BadOrigin);
	});
}
