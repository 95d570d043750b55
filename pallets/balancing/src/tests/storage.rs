//! Storage: registration, dispatch at clearing, settlement against the unit's meter, the state
//! of charge following the meter, and transfers between zones.

use super::*;
use crate::{dispatch::Action, Error, Event, Schedules, Units, ZoneUnits};
use daeg_primitives::{consumption::DispatchedEnergy, pricing::Side, ring};
use frame_support::assert_noop;

const ALICE: u64 = 1;
const BOB: u64 = 2;
const CAROL: u64 = 3;

fn charge_of(unit: UnitId) -> Energy {
	Units::<Test>::get(unit).unwrap().spec.charge
}

#[test]
fn a_midday_solar_surplus_charges_storage() {
	run(|| {
		grid();
		let solar = facility(CAROL, EnergySource::Solar, 0);
		let alice = home(ALICE, 0);
		let (unit, unit_meter) = battery(BOB, 0, 2_000);
		// 3 kWh of sun for 1 kWh of demand: 2 kWh long.
		ask(CAROL, solar, 3_000, 50);
		bid(ALICE, alice, 1_000, 300);
		clear();

		// The battery draws what it can in a quarter-hour (4 kW: 1 kWh) and expects to store
		// 90 % of it; the rest of the surplus is curtailed (zone 1 has no demand).
		assert!(has(Event::Scheduled {
			interval: OPEN,
			unit,
			action: Action::Charge(Energy(1_000))
		}));
		assert_eq!(charge_of(unit), Energy(2_900));
		// The consumption pallet judges the meter's step against this schedule.
		assert_eq!(Balancing::dispatched(unit_meter, OPEN), Some((Energy(1_000), Energy(0))));
		assert_eq!(Balancing::dispatched(unit_meter, IntervalIndex(OPEN.0 + 1)), None);
		assert_eq!(Balancing::dispatched(alice, OPEN), None);
		let r = report(0, OPEN);
		assert_eq!(
			(r.long, r.charged, r.curtailed, r.unserved),
			(Energy(2_000), Energy(1_000), Energy(1_000), Energy(0))
		);
		// The charge is a purchase at the zone's price (50: the sun's unsold energy sets it).
		assert_eq!(price(0), Some(PricePerKWh(50)));
		System::assert_has_event(
			pallet_pricing::Event::DispatchEntered {
				id: daeg_primitives::pricing::OrderId { interval: OPEN, slot: 2 },
				owner: BOB,
				side: Side::Buy,
				energy: Energy(1_000),
			}
			.into(),
		);

		// The meter measured 800 Wh drawn: Bob pays for the 1 kWh bought (50) and the state
		// of charge follows the meter: 2,000 + 90 % of 800.
		after_open();
		let before = balance(BOB);
		finalize(unit_meter, OPEN, 800, 0);
		assert_eq!(before - balance(BOB), 50);
		assert_eq!(charge_of(unit), Energy(2_720));
		assert!(has(Event::ChargeMeasured {
			interval: OPEN,
			unit,
			scheduled: Action::Charge(Energy(1_000)),
			imported: Energy(800),
			exported: Energy(0),
			charge: Energy(2_720),
		}));
		// The schedule is consumed by the verification.
		assert!(Schedules::<Test>::get(unit, ring::slot(OPEN.0, 96)).is_none());
	});
}

#[test]
fn an_evening_peak_discharges_storage_and_is_paid_only_what_it_delivered() {
	run(|| {
		grid();
		let wind = facility(CAROL, EnergySource::Wind, 0);
		let alice = home(ALICE, 0);
		let (unit, unit_meter) = battery(BOB, 0, 5_000);
		// 3 kWh demanded against a peak threshold of 1 kWh, 2.5 kWh of wind: 0.5 kWh short,
		// 2 kWh of peak.
		ask(CAROL, wind, 2_500, 100);
		bid(ALICE, alice, 3_000, 400);
		clear();

		let r = report(0, OPEN);
		assert_eq!((r.short, r.peak, r.discharged), (Energy(500), Energy(2_000), Energy(1_000)));
		// No program in the zone: the peak's remaining kWh is reported, not covered.
		assert_eq!(
			(r.over_peak, r.unserved, r.reduction_requested),
			(Energy(1_000), Energy(0), Energy(0))
		);
		assert!(has(Event::Scheduled {
			interval: OPEN,
			unit,
			action: Action::Discharge(Energy(1_000))
		}));
		assert_eq!(charge_of(unit), Energy(4_000));
		assert_eq!(Balancing::dispatched(unit_meter, OPEN), Some((Energy(0), Energy(1_000))));
		// The zone is short: Alice's unmet bid sets the price, 400.
		assert_eq!(price(0), Some(PricePerKWh(400)));

		// Its meter shows 700 Wh delivered: paid 1 kWh at 400 less the 300 Wh shortfall at
		// no less than 400 (the short imbalance price is zero): 280, for 700 Wh.
		after_open();
		let (before, pot) = (balance(BOB), balance(MARKET));
		finalize(unit_meter, OPEN, 0, 700);
		assert_eq!(balance(BOB) - before, 280);
		assert_eq!(pot - balance(MARKET), 280, "paid from the market's pot");
		assert_eq!(charge_of(unit), Energy(4_300));
	});
}

#[test]
fn a_congested_link_separates_prices_and_room_left_moves_surplus_between_zones() {
	run(|| {
		grid();
		let wind = facility(CAROL, EnergySource::Wind, 0);
		let alice = home(ALICE, 1);
		// Cheap wind in zone 0, demand in zone 1: the link carries its 1 kWh and binds.
		ask(CAROL, wind, 3_000, 100);
		bid(ALICE, alice, 2_000, 400);
		clear();
		assert_eq!((price(0), price(1)), (Some(PricePerKWh(100)), Some(PricePerKWh(400))));
		let (r0, r1) = (report(0, OPEN), report(1, OPEN));
		assert_eq!((r0.sold, r0.long), (Energy(1_000), Energy(2_000)));
		assert_eq!((r1.bought, r1.short), (Energy(1_000), Energy(1_000)));
		// No room is left on the link: zone 1's shortfall stays unserved.
		assert_eq!(
			(r1.transferred_in, r1.unserved, r0.curtailed),
			(Energy(0), Energy(1_000), Energy(2_000))
		);

		// The next interval: a bid below the wind's price trades nothing, so the link is
		// free, and balancing moves what it carries (1 kWh) from the long zone to the short.
		let next = IntervalIndex(OPEN.0 + 1);
		ask_at(next, CAROL, wind, 3_000, 100);
		bid_at(next, ALICE, alice, 2_000, 90);
		block_at(NOW + 2 * INTERVAL_MS);
		let (r0, r1) = (report(0, next), report(1, next));
		assert_eq!(
			(r1.short, r1.transferred_in, r1.unserved),
			(Energy(2_000), Energy(1_000), Energy(1_000))
		);
		assert_eq!((r0.transferred_out, r0.curtailed), (Energy(1_000), Energy(2_000)));
	});
}

#[test]
fn registering_checks_the_meter_and_the_unit() {
	run(|| {
		grid();
		let m = meter(BOB, 0, MeterKind::Storage);
		let spec = battery_spec(m, 0);
		let signed = RuntimeOrigin::signed(BOB);
		assert_noop!(
			Balancing::register_unit(signed.clone(), UnitSpec { meter: MeterId(99), ..spec }),
			Error::<Test>::UnknownMeter
		);
		assert_noop!(
			Balancing::register_unit(RuntimeOrigin::signed(ALICE), spec),
			Error::<Test>::NotMeterOwner
		);
		let consumer = home(BOB, 0);
		assert_noop!(
			Balancing::register_unit(signed.clone(), UnitSpec { meter: consumer, ..spec }),
			Error::<Test>::MeterNotBidirectional
		);
		set_active(m, false);
		assert_noop!(Balancing::register_unit(signed.clone(), spec), Error::<Test>::MeterInactive);
		set_active(m, true);
		for bad in [
			UnitSpec { capacity: Energy(0), ..spec },
			UnitSpec { max_charge: Power(0), ..spec },
			UnitSpec { max_discharge: Power(0), ..spec },
			UnitSpec { efficiency: Perbill::zero(), ..spec },
		] {
			assert_noop!(Balancing::register_unit(signed.clone(), bad), Error::<Test>::BadUnit);
		}
		assert_noop!(
			Balancing::register_unit(signed.clone(), UnitSpec { charge: Energy(10_001), ..spec }),
			Error::<Test>::ChargeAboveCapacity
		);
		assert_ok!(Balancing::register_unit(signed.clone(), spec));
		assert_noop!(Balancing::register_unit(signed.clone(), spec), Error::<Test>::MeterInUse);
		// Four units a zone.
		for _ in 0..3 {
			battery(BOB, 0, 0);
		}
		let fifth = meter(BOB, 0, MeterKind::Storage);
		assert_noop!(
			Balancing::register_unit(signed.clone(), battery_spec(fifth, 0)),
			Error::<Test>::TooManyUnits
		);
		crate::NextUnitId::<Test>::put(UnitId(u32::MAX));
		let other = meter(BOB, 1, MeterKind::Storage);
		assert_noop!(
			Balancing::register_unit(signed, battery_spec(other, 0)),
			Error::<Test>::NoUnitIds
		);
	});
}

#[test]
fn only_the_owner_deregisters_a_unit_and_it_is_no_longer_dispatched() {
	run(|| {
		grid();
		let (unit, _) = battery(BOB, 0, 5_000);
		assert_noop!(
			Balancing::deregister_unit(RuntimeOrigin::signed(BOB), UnitId(9)),
			Error::<Test>::UnknownUnit
		);
		assert_noop!(
			Balancing::deregister_unit(RuntimeOrigin::signed(ALICE), unit),
			Error::<Test>::NotUnitOwner
		);
		assert_ok!(Balancing::deregister_unit(RuntimeOrigin::signed(BOB), unit));
		assert!(Units::<Test>::get(unit).is_none() && ZoneUnits::<Test>::get(ZoneId(0)).is_empty());
		let alice = home(ALICE, 0);
		bid(ALICE, alice, 1_000, 300);
		clear();
		assert_eq!(report(0, OPEN).discharged, Energy(0));
	});
}
