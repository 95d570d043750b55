//! Scenario tests on the mock runtime with the real market: each clears real auctions and
//! settles real payments, and asserts energies, payments and events.

use crate::{mock::*, UnitSpec};
use daeg_primitives::{
	consumption::MeterKind,
	grid::{ZoneLink, ZoneSpec},
	pricing::TariffParameters,
	Energy, EnergySource, FacilityId, IntervalIndex, MeterId, Power, PricePerKWh, UnitId, ZoneId,
};
use frame_support::{assert_ok, traits::fungible::Inspect, BoundedVec};
use sp_runtime::Perbill;

mod demand;
mod emergencies;
mod storage;

/// Grid time: the start of interval 1,000.
const NOW: u64 = 1_000 * INTERVAL_MS;
/// The first interval whose gate is open (gate closure one interval ahead).
const OPEN: IntervalIndex = IntervalIndex(1_002);

/// The operators' origin.
fn operators() -> RuntimeOrigin {
	RuntimeOrigin::signed(OPERATOR)
}

/// Zone 0 (a feeder of 8 kW, demand response from half of it: 1 kWh a quarter-hour), zone 1
/// linked to it by 4 kW each way (1 kWh a quarter-hour), and zone 2, a microgrid inside zone 0
/// linked to it likewise. A tariff of 0.25 and no fees; grid time `NOW`.
fn grid() {
	Timestamp::set_timestamp(NOW);
	let spec =
		|parent| ZoneSpec { capacity: Power(8_000), peak_share: Perbill::from_percent(50), parent };
	assert_ok!(Grid::set_zone(operators(), ZoneId(0), Some(spec(None))));
	assert_ok!(Grid::set_zone(operators(), ZoneId(2), Some(spec(Some(ZoneId(0))))));
	let link =
		|b| ZoneLink { a: ZoneId(0), b: ZoneId(b), a_to_b: Power(4_000), b_to_a: Power(4_000) };
	assert_ok!(Grid::set_links(operators(), BoundedVec::truncate_from(vec![link(1), link(2)])));
	assert_ok!(Pricing::set_tariff(
		operators(),
		TariffParameters { reference: PricePerKWh(250), ..Default::default() }
	));
}

/// A bid of `who` at `meter` for `OPEN` (or `interval`).
fn bid_at(interval: IntervalIndex, who: u64, meter: MeterId, energy: u64, price: u128) {
	assert_ok!(Pricing::place_bid(
		RuntimeOrigin::signed(who),
		meter,
		interval,
		Energy(energy),
		PricePerKWh(price)
	));
}

fn bid(who: u64, meter: MeterId, energy: u64, price: u128) {
	bid_at(OPEN, who, meter, energy, price)
}

fn ask_at(interval: IntervalIndex, who: u64, f: FacilityId, energy: u64, price: u128) {
	assert_ok!(Pricing::place_ask(
		RuntimeOrigin::signed(who),
		f,
		interval,
		Energy(energy),
		PricePerKWh(price)
	));
}

fn ask(who: u64, f: FacilityId, energy: u64, price: u128) {
	ask_at(OPEN, who, f, energy, price)
}

/// A consumer's meter of `who` in `zone`.
fn home(who: u64, zone: u16) -> MeterId {
	meter(who, zone, MeterKind::Consumption)
}

/// Registers a 10 kWh battery of `who` in `zone` holding `charge` Wh, 4 kW each way (1 kWh a
/// quarter-hour), 90 % efficient. Returns the unit and its meter.
fn battery(who: u64, zone: u16, charge: u64) -> (UnitId, MeterId) {
	let m = meter(who, zone, MeterKind::Storage);
	let unit = crate::NextUnitId::<Test>::get();
	assert_ok!(Balancing::register_unit(RuntimeOrigin::signed(who), battery_spec(m, charge)));
	(unit, m)
}

fn battery_spec(meter: MeterId, charge: u64) -> UnitSpec {
	UnitSpec {
		meter,
		capacity: Energy(10_000),
		max_charge: Power(4_000),
		max_discharge: Power(4_000),
		efficiency: Perbill::from_percent(90),
		charge: Energy(charge),
	}
}

/// Runs the market's hook until `OPEN` is cleared.
fn clear() {
	block_at(NOW);
	block_at(NOW + INTERVAL_MS);
}

/// Moves grid time past `OPEN`, so that its meter values can be final.
fn after_open() {
	block_at(NOW + 3 * INTERVAL_MS);
}

/// `who`'s balance (free and held).
fn balance(who: u64) -> u128 {
	Balances::total_balance(&who)
}

/// The report of `zone` for `interval`.
fn report(zone: u16, interval: IntervalIndex) -> daeg_primitives::balancing::ZoneReport {
	let slot = daeg_primitives::ring::slot(interval.0, 96);
	daeg_primitives::ring::kept(crate::Reports::<Test>::get(ZoneId(zone), slot), interval)
		.expect("the interval was balanced")
}

/// The clearing price of `zone` in `OPEN`.
fn price(zone: u16) -> Option<PricePerKWh> {
	pallet_pricing::Clearings::<Test>::get(OPEN, ZoneId(zone)).and_then(|c| c.price)
}

/// Whether `event` was deposited.
fn has(event: crate::Event<Test>) -> bool {
	System::events().iter().any(|r| r.event == RuntimeEvent::Balancing(event.clone()))
}
