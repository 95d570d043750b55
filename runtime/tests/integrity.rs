//! Market integrity on the real runtime (issue 21): each test plays an attack as the attacker
//! would, on a dev chain driven block by block through every pallet's hooks, and checks that
//! the attacker gains nothing, honest members lose nothing, money is conserved (total issuance)
//! and every pallet's invariants hold.

mod common;

use common::{dev_chain, invariants, meter, Grid, Refused, TestMeter};
use daeg_primitives::{
	consumption::{MeterKind, ReadingError},
	pricing::Weather,
	production::Location,
	Energy, EnergySource, FacilityId, IntervalIndex, Irradiance, Power, PricePerKWh, Temperature,
	WindSpeed, ZoneId,
};
use daeg_runtime::{
	AccountId, Balances, Consumption, Pricing, Production, Runtime, RuntimeEvent, RuntimeOrigin,
	System, MILLI_UNIT,
};
use frame_support::{assert_noop, assert_ok, traits::fungible::Inspect};
use sp_keyring::Sr25519Keyring::{Alice, Bob, Dave, Eve, Ferdie};

fn total(who: &AccountId) -> u128 {
	Balances::total_balance(who)
}

fn pot() -> u128 {
	let p = pallet_pricing::Pot::<Runtime>::get();
	p.funded + p.collected - p.paid
}

/// Eve's certified wind turbine with its own production meter (`max_w`), in zone 0; Dave is
/// the certifier.
fn honest_plant(max_w: u64) -> (FacilityId, TestMeter) {
	let (eve, dave) = (Eve.to_account_id(), Dave.to_account_id());
	assert_ok!(Production::appoint_certifier(RuntimeOrigin::root(), dave.clone()));
	let plant = meter(&eve, MeterKind::Production, max_w, 0xE0);
	let facility = pallet_production::NextFacilityId::<Runtime>::get();
	assert_ok!(Production::register_facility(
		RuntimeOrigin::signed(eve),
		pallet_production::FacilitySpec {
			source: EnergySource::Wind,
			capacity: Power(max_w),
			zone: ZoneId(0),
			location: Location { lat_micro_deg: 54_000_000, lon_micro_deg: 10_000_000 },
			commissioned: daeg_primitives::DayIndex(20_000),
			meter: plant.id,
		}
	));
	let until = common::START_MS + 86_400_000;
	assert_ok!(Production::certify(RuntimeOrigin::signed(dave), facility, until));
	(facility, plant)
}

/// Runs the chain until `interval` is final and settled (the lateness window and a margin).
fn settle(grid: &mut Grid, interval: IntervalIndex) {
	let window = Consumption::lateness_window();
	grid.until(IntervalIndex(interval.0 + window + 3));
}

#[test]
fn a_forged_export_register_is_refused_and_never_paid() {
	dev_chain().execute_with(|| {
		let mut grid = Grid::start();
		let attacker = Ferdie.to_account_id();
		let mut m = meter(&attacker, MeterKind::Bidirectional, 10_000, 0xF0);
		let t = grid.interval();
		grid.intervals(1);
		assert_ok!(m.read(t, 1_000, 0));
		grid.intervals(1);
		let (before, pot_before, issuance) = (total(&attacker), pot(), Balances::total_issuance());

		// 10 GWh of export in one 30-second interval through a 10 kW connection.
		let forged = m.read(IntervalIndex(t.0 + 1), 1_000, 10_000_000_000);
		assert_eq!(forged, Err(Refused::Pool(ReadingError::OverCapacity.into())));
		// The connection's whole capacity as export on a consumer's meter: refused too.
		let mut home = meter(&attacker, MeterKind::Consumption, 10_000, 0xF1);
		let t2 = grid.interval();
		grid.intervals(1);
		assert_ok!(home.read(t2, 500, 0));
		grid.intervals(1);
		assert_eq!(
			home.read(IntervalIndex(t2.0 + 1), 500, 80),
			Err(Refused::Pool(ReadingError::ExportOnImportMeter.into()))
		);

		// Let everything turn final and settle: the attacker is paid nothing.
		settle(&mut grid, IntervalIndex(t2.0 + 1));
		assert!(total(&attacker) <= before, "the attacker gains nothing");
		assert!(pot() >= pot_before, "the pot paid nothing out");
		assert_eq!(Balances::total_issuance(), issuance);
		invariants();
	});
}

#[test]
fn bidding_cheap_and_consuming_nothing_earns_nothing() {
	dev_chain().execute_with(|| {
		let mut grid = Grid::start();
		let attacker = Ferdie.to_account_id();
		let eve = Eve.to_account_id();
		let mut home = meter(&attacker, MeterKind::Consumption, 20_000, 0xF2);
		let (facility, mut plant) = honest_plant(20_000);
		let t0 = grid.interval();
		grid.intervals(1);
		assert_ok!(home.read(t0, 0, 0));
		assert_ok!(plant.read(t0, 0, 0));

		// The attacker bids 100 Wh at 0.02 DAEG/kWh; Eve asks at 0.001: the interval clears
		// around 0.01, below the dev chain's long imbalance price of 0.05.
		let status = Pricing::status();
		let t = status.first_open;
		assert_ok!(Pricing::place_bid(
			RuntimeOrigin::signed(attacker.clone()),
			home.id,
			t,
			Energy(100),
			PricePerKWh(20 * MILLI_UNIT),
		));
		assert_ok!(Pricing::place_ask(
			RuntimeOrigin::signed(eve.clone()),
			facility,
			t,
			Energy(100),
			PricePerKWh(MILLI_UNIT),
		));
		let (attacker_before, eve_before) = (total(&attacker), total(&eve));
		let issuance = Balances::total_issuance();

		// Every interval until t is over: the attacker's meter reads nothing, Eve's plant
		// delivers 100 Wh in t.
		let mut registers = 0;
		for k in t0.0 + 1..=t.0 {
			grid.until(IntervalIndex(k + 1));
			if k == t.0 {
				registers += 100;
			}
			assert_ok!(home.read(IntervalIndex(k), 0, 0));
			assert_ok!(plant.read(IntervalIndex(k), 0, registers));
		}
		let price = pallet_pricing::Clearings::<Runtime>::get(t, ZoneId(0))
			.and_then(|c| c.price)
			.expect("the interval cleared");
		assert!(price < PricePerKWh(50 * MILLI_UNIT), "cleared below the long price");
		settle(&mut grid, t);
		assert!(
			!pallet_pricing::Positions::<Runtime>::contains_key(t, home.id),
			"the attacker's position is settled"
		);

		assert!(total(&attacker) <= attacker_before, "the attacker gains nothing");
		let paid = price.cost_of(Energy(100), daeg_primitives::Rounding::Down).unwrap();
		assert!(total(&eve) >= eve_before + paid, "the honest seller is paid her sale");
		assert_eq!(Balances::total_issuance(), issuance);
		invariants();
	});
}

#[test]
fn a_flagged_reading_is_held_until_the_operators_release_it() {
	dev_chain().execute_with(|| {
		let mut grid = Grid::start();
		let attacker = Ferdie.to_account_id();
		let mut roof = meter(&attacker, MeterKind::Bidirectional, 100_000, 0xF3);
		let t0 = grid.interval();
		grid.intervals(1);
		assert_ok!(roof.read(t0, 0, 0));
		let before = total(&attacker);
		let issuance = Balances::total_issuance();
		let long = pallet_pricing::Imbalance::<Runtime>::get().long;
		let credit = |wh| long.cost_of(Energy(wh), daeg_primitives::Rounding::Down).unwrap();
		// Three quiet intervals teach the meter's trend: 10 Wh of export each.
		let mut exported = 0;
		for k in 1..=3 {
			grid.intervals(1);
			exported += 10;
			assert_ok!(roof.read(IntervalIndex(t0.0 + k), 0, exported));
		}
		// Then 800 Wh in one interval: within the connection (833 Wh), 80 times the trend.
		grid.intervals(1);
		let jump = IntervalIndex(t0.0 + 4);
		exported += 800;
		assert_ok!(roof.read(jump, 0, exported));
		settle(&mut grid, jump);

		// Held: the quiet intervals' export is paid, the jump's nothing; the value is listed
		// for the operators.
		let held = pallet_pricing::Quarantine::<Runtime>::get(jump, roof.id).expect("quarantined");
		assert_eq!(held.record.exported, Energy(800));
		assert_eq!(total(&attacker), before + 3 * credit(10));
		assert!(Pricing::quarantined().iter().any(|(i, m, _)| (*i, *m) == (jump, roof.id)));
		assert!(System::events().iter().any(|r| matches!(
			r.event,
			RuntimeEvent::Pricing(pallet_pricing::Event::ValueQuarantined { meter, .. }) if meter == roof.id
		)));

		// The meter's owner cannot release it; the operators, having checked the meter, do
		// with the 10 Wh it really exported.
		assert_noop!(
			Pricing::release_quarantined(
				RuntimeOrigin::signed(attacker.clone()),
				jump,
				roof.id,
				None
			),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_ok!(Pricing::release_quarantined(
			RuntimeOrigin::root(),
			jump,
			roof.id,
			Some((Energy::ZERO, Energy(10)))
		));
		assert_eq!(total(&attacker), before + 4 * credit(10));
		assert_eq!(Balances::total_issuance(), issuance);
		invariants();
	});
}

#[test]
fn asks_beyond_the_plant_and_meters_left_with_open_positions_are_refused() {
	dev_chain().execute_with(|| {
		let grid = Grid::start();
		let eve = Eve.to_account_id();
		let (facility, plant) = honest_plant(12_000);
		let t = Pricing::status().first_open;
		// 12 kW for 30 seconds: 100 Wh.
		let ask = |energy| {
			Pricing::place_ask(
				RuntimeOrigin::signed(eve.clone()),
				facility,
				t,
				Energy(energy),
				PricePerKWh(MILLI_UNIT),
			)
		};
		assert_noop!(ask(101), pallet_pricing::Error::<Runtime>::AboveCapacity);
		let free = Balances::balance(&eve);
		assert_ok!(ask(100));
		// The ask holds its shortfall at the short price (0.40 DAEG/kWh) as collateral.
		assert_eq!(free - Balances::balance(&eve), 40 * MILLI_UNIT);
		// Eve cannot take her meter away while the ask is open.
		assert_noop!(
			Consumption::remove_meter(RuntimeOrigin::signed(eve.clone()), plant.id),
			pallet_consumption::Error::<Runtime>::OpenPositions
		);
		let _ = grid;
		invariants();
	});
}

#[test]
fn no_certifier_acts_alone_on_its_own_assets() {
	dev_chain().execute_with(|| {
		let _grid = Grid::start();
		let dave = Dave.to_account_id();
		assert_ok!(Production::appoint_certifier(RuntimeOrigin::root(), dave.clone()));
		// Dave installs a meter and registers a plant of his own.
		let key = <sp_core::sr25519::Pair as sp_core::Pair>::from_seed(&[0xD0; 32]);
		let own = pallet_consumption::NextMeterId::<Runtime>::get();
		assert_ok!(Consumption::install_meter(
			RuntimeOrigin::signed(dave.clone()),
			MeterKind::Production,
			ZoneId(0),
			Power(10_000),
			daeg_primitives::consumption::MeterPublic::from(sp_core::Pair::public(&key)),
		));
		assert_noop!(
			Consumption::activate_meter(RuntimeOrigin::signed(dave.clone()), own),
			pallet_consumption::Error::<Runtime>::OwnMeter
		);
		assert_ok!(Consumption::activate_meter(RuntimeOrigin::root(), own));
		let facility = pallet_production::NextFacilityId::<Runtime>::get();
		assert_ok!(Production::register_facility(
			RuntimeOrigin::signed(dave.clone()),
			pallet_production::FacilitySpec {
				source: EnergySource::Solar,
				capacity: Power(10_000),
				zone: ZoneId(0),
				location: Location { lat_micro_deg: 54_000_000, lon_micro_deg: 10_000_000 },
				commissioned: daeg_primitives::DayIndex(20_000),
				meter: own,
			}
		));
		assert_noop!(
			Production::certify(
				RuntimeOrigin::signed(dave.clone()),
				facility,
				common::START_MS + 1
			),
			pallet_production::Error::<Runtime>::OwnFacility
		);
		// So his plant cannot sell.
		let t = Pricing::status().first_open;
		assert_noop!(
			Pricing::place_ask(RuntimeOrigin::signed(dave), facility, t, Energy(1), PricePerKWh(1)),
			pallet_pricing::Error::<Runtime>::MayNotSell
		);
		invariants();
	});
}

#[test]
fn a_rolled_over_register_is_mended_by_the_operators_without_losing_or_doubling_energy() {
	dev_chain().execute_with(|| {
		let mut grid = Grid::start();
		let owner = Ferdie.to_account_id();
		let mut m = meter(&owner, MeterKind::Consumption, 10_000, 0xF4);
		let top = u64::MAX - 1_000;
		let t0 = grid.interval();
		grid.intervals(1);
		assert_ok!(m.read(t0, top, 0));
		// The register rolls over: the meter is bricked.
		grid.intervals(2);
		let now = IntervalIndex(grid.interval().0 - 1);
		assert_eq!(m.read(now, 30, 0), Err(Refused::Pool(ReadingError::RegisterDecreased.into())));
		// The operators record the old register's last value and the new baseline.
		assert_ok!(Consumption::record_exchange(
			RuntimeOrigin::root(),
			m.id,
			(Energy(top + 50), Energy::ZERO),
			(Energy::ZERO, Energy::ZERO),
		));
		m.counter += 1;
		grid.intervals(1);
		assert_ok!(m.read(IntervalIndex(grid.interval().0 - 1), 30, 0));
		// Every Wh once: 50 up to the exchange, 30 after it.
		let recorded: u64 = (t0.0 + 1..grid.interval().0)
			.filter_map(|i| Consumption::record(m.id, IntervalIndex(i)))
			.map(|r| r.imported.0)
			.sum();
		assert_eq!(recorded, 80);
		invariants();
	});
}

#[test]
fn a_seller_whose_meter_goes_silent_is_not_paid_for_estimated_export() {
	dev_chain().execute_with(|| {
		let mut grid = Grid::start();
		let eve = Eve.to_account_id();
		let (facility, mut plant) = honest_plant(20_000);
		let t0 = grid.interval();
		// Three intervals of 100 Wh teach the meter's trend and profile.
		grid.intervals(1);
		assert_ok!(plant.read(t0, 0, 0));
		let mut registers = 0;
		for k in 1..=3 {
			grid.intervals(1);
			registers += 100;
			assert_ok!(plant.read(IntervalIndex(t0.0 + k), 0, registers));
		}
		// Eve sells 100 Wh in an interval ahead, then her meter falls silent: the interval
		// gets a substitute (about 100 Wh of export, estimated).
		let t = Pricing::status().first_open;
		assert_ok!(Pricing::place_ask(
			RuntimeOrigin::signed(eve.clone()),
			facility,
			t,
			Energy(100),
			PricePerKWh(MILLI_UNIT),
		));
		let buyer = meter(&Ferdie.to_account_id(), MeterKind::Consumption, 20_000, 0xF6);
		assert_ok!(Pricing::place_bid(
			RuntimeOrigin::signed(Ferdie.to_account_id()),
			buyer.id,
			t,
			Energy(100),
			PricePerKWh(100 * MILLI_UNIT),
		));
		let before = total(&eve);
		let issuance = Balances::total_issuance();
		settle(&mut grid, t);
		let record = Consumption::record(plant.id, t).expect("substituted");
		assert_eq!(record.quality, daeg_primitives::consumption::Quality::Substituted);
		assert!(record.exported > Energy::ZERO, "the estimate exports");
		// Settled as undelivered: Eve's 100 Wh sold cost her the shortfall at the short price.
		let line = System::events()
			.into_iter()
			.find_map(|r| match r.event {
				RuntimeEvent::Pricing(pallet_pricing::Event::Settled {
					meter,
					interval,
					line,
					..
				}) if meter == plant.id && interval == t => Some(line),
				_ => None,
			})
			.expect("Eve's interval settled");
		assert_eq!((line.sold, line.short), (Energy(100), Energy(100)));
		assert!(total(&eve) < before, "estimated export earns nothing");
		assert_eq!(Balances::total_issuance(), issuance);
		invariants();

		// The meter reads again: 100 Wh in each interval of the silence. The final
		// substitutes' share of it is trued up: paid at the long price, once.
		let last = IntervalIndex(grid.interval().0 - 1);
		let silence = u64::from(last.0 - (t0.0 + 3));
		let before = total(&eve);
		assert_ok!(plant.read(last, 0, registers + 100 * silence));
		let correction = System::events()
			.into_iter()
			.find_map(|r| match r.event {
				RuntimeEvent::Consumption(pallet_consumption::Event::IntervalsTruedUp {
					meter,
					correction,
				}) if meter == plant.id => Some(correction),
				_ => None,
			})
			.expect("the final substitutes are trued up");
		assert_eq!(correction.from, IntervalIndex(t0.0 + 4));
		let long = pallet_pricing::Imbalance::<Runtime>::get().long;
		let paid = long.cost_of(correction.measured.1, daeg_primitives::Rounding::Down).unwrap();
		assert!(paid > 0);
		assert_eq!(total(&eve), before + paid);
		// What the final intervals were paid and what the open ones will be hold the
		// registers' increase, once.
		let open: u64 = (correction.to.0 + 1..=last.0)
			.map(|k| Consumption::record(plant.id, IntervalIndex(k)).unwrap().exported.0)
			.sum();
		assert_eq!(correction.measured.1 .0 + open, 100 * silence);
		assert_eq!(Balances::total_issuance(), issuance);
		invariants();
	});
}

#[test]
fn a_member_in_arrears_can_neither_trade_nor_take_the_meter_away() {
	dev_chain().execute_with(|| {
		let grid = Grid::start();
		let ferdie = Ferdie.to_account_id();
		let m = meter(&ferdie, MeterKind::Consumption, 10_000, 0xF5);
		pallet_pricing::Arrears::<Runtime>::insert(&ferdie, MILLI_UNIT);
		let t = Pricing::status().first_open;
		assert_noop!(
			Pricing::place_bid(
				RuntimeOrigin::signed(ferdie.clone()),
				m.id,
				t,
				Energy(1),
				PricePerKWh(1)
			),
			pallet_pricing::Error::<Runtime>::InArrears
		);
		assert_noop!(
			Consumption::remove_meter(RuntimeOrigin::signed(ferdie.clone()), m.id),
			pallet_consumption::Error::<Runtime>::OwnerInArrears
		);
		// Paid up (settle_account collects the arrears), the meter may go.
		assert_ok!(Pricing::settle_account(RuntimeOrigin::signed(ferdie.clone())));
		assert_ok!(Consumption::remove_meter(RuntimeOrigin::signed(ferdie), m.id));
		let _ = grid;
		invariants();
	});
}

#[test]
fn one_lying_weather_oracle_of_three_moves_no_tariff() {
	dev_chain().execute_with(|| {
		let _grid = Grid::start();
		let (alice, bob, liar) =
			(Alice.to_account_id(), Bob.to_account_id(), Ferdie.to_account_id());
		let oracles = vec![alice.clone(), bob.clone(), liar.clone()];
		assert_ok!(Pricing::set_weather_oracles(
			RuntimeOrigin::root(),
			oracles.try_into().unwrap()
		));
		let t = Pricing::status().first_open;
		let submit = |who: &AccountId, weather: Weather| {
			Pricing::submit_forecast(
				RuntimeOrigin::signed(who.clone()),
				ZoneId(0),
				t,
				vec![weather].try_into().unwrap(),
			)
		};
		let w = |irradiance, celsius| Weather {
			irradiance: Irradiance(irradiance),
			wind_speed: WindSpeed(0),
			temperature: Temperature::from_celsius(celsius),
		};
		let tariff = || Pricing::forecast(ZoneId(0), t, t)[0].1.tariff;
		let reference = tariff();
		// Grid time is January: summer's sun and heat are out of season at the site.
		assert_noop!(submit(&liar, w(1_100, 10)), pallet_pricing::Error::<Runtime>::OutOfSeason);
		assert_noop!(submit(&liar, w(0, 35)), pallet_pricing::Error::<Runtime>::OutOfSeason);
		// The liar's bright day alone counts for nothing.
		assert_ok!(submit(&liar, w(940, 10)));
		assert_eq!(tariff(), reference);
		// The honest two agree on a dull one: the median is theirs, whatever the liar said.
		assert_ok!(submit(&alice, w(100, 10)));
		assert_ok!(submit(&bob, w(100, 10)));
		assert_eq!(Pricing::agreed_weather(t, ZoneId(0)), Some(w(100, 10)));
		let honest = tariff();
		assert_ne!(honest, reference);
		// And the liar cannot leap to move it: a revision is bounded by the climate.
		assert_noop!(submit(&liar, w(0, 25)), pallet_pricing::Error::<Runtime>::ForecastLeap);
		assert_ok!(submit(&liar, w(0, 10)));
		assert_eq!(tariff(), honest);
		invariants();
	});
}

#[test]
fn a_position_whose_orders_are_lost_fails_closed() {
	dev_chain().execute_with(|| {
		let mut grid = Grid::start();
		let ferdie = Ferdie.to_account_id();
		let mut home = meter(&ferdie, MeterKind::Consumption, 20_000, 0xF7);
		let t0 = grid.interval();
		grid.intervals(1);
		assert_ok!(home.read(t0, 0, 0));
		let t = Pricing::status().first_open;
		assert_ok!(Pricing::place_bid(
			RuntimeOrigin::signed(ferdie.clone()),
			home.id,
			t,
			Energy(100),
			PricePerKWh(100 * MILLI_UNIT),
		));
		let before = total(&ferdie);
		let issuance = Balances::total_issuance();
		grid.until(IntervalIndex(t.0 + 1));
		// The book loses the order (a fault no call can cause): what the position traded is
		// unknown.
		let _ = pallet_pricing::Book::<Runtime>::clear_prefix(t, u32::MAX, None);
		let mut registers = 0;
		for k in t0.0 + 1..=t.0 {
			registers += 50;
			assert_ok!(home.read(IntervalIndex(k), registers, 0));
		}
		settle(&mut grid, t);
		// Nothing was paid or charged for it; the hold went back; the operators were told.
		assert!(System::events().iter().any(|r| matches!(
			&r.event,
			RuntimeEvent::Pricing(pallet_pricing::Event::SettlementFailed { meter, who, .. })
				if *meter == home.id && *who == ferdie
		)));
		assert_eq!(pallet_pricing::Positions::<Runtime>::get(t, home.id), None);
		let on_hold =
			<Balances as frame_support::traits::fungible::InspectHold<_>>::balance_on_hold(
				&pallet_pricing::HoldReason::Order.into(),
				&ferdie,
			);
		assert_eq!(on_hold, 0);
		// The intervals before it were consumption at the tariff; none of `t` was charged.
		assert!(total(&ferdie) <= before);
		assert!(!System::events().iter().any(|r| matches!(
			&r.event,
			RuntimeEvent::Pricing(pallet_pricing::Event::Settled { meter, interval, .. })
				if *meter == home.id && *interval == t
		)));
		assert_eq!(Balances::total_issuance(), issuance);
	});
}

#[test]
fn every_meter_is_finalized_and_settled_when_blocks_leave_little_idle_weight() {
	dev_chain().execute_with(|| {
		let mut grid = Grid::start();
		// Blocks full of other work: `on_idle` has room for one meter visit at most, five an
		// interval, and there are twelve meters.
		grid.idle = Some(
			Consumption::pass_base_weight()
				.saturating_add(Consumption::max_visit_weight())
				.saturating_add(<Runtime as frame_system::Config>::DbWeight::get().reads(1)),
		);
		let owner = Dave.to_account_id();
		let mut meters: Vec<TestMeter> =
			(0..12).map(|k| meter(&owner, MeterKind::Consumption, 20_000, 0x30 + k)).collect();
		let t0 = grid.interval();
		let last = IntervalIndex(t0.0 + 6);
		let mut stretched = false;
		for k in t0.0..=last.0 {
			grid.until(IntervalIndex(k + 1));
			for m in &mut meters {
				assert_ok!(m.read(IntervalIndex(k), u64::from(k - t0.0) * 10, 0));
			}
			let pass = pallet_consumption::FinalizePass::<Runtime>::get();
			stretched |= !pass.done && pass.visited < 12;
		}
		assert!(stretched, "one interval's idle weight did not cover every meter");
		// Within a bounded number of intervals every meter's every interval is final and
		// settled.
		settle(&mut grid, last);
		grid.intervals(4);
		for m in &meters {
			for k in t0.0 + 1..=last.0 {
				let interval = IntervalIndex(k);
				assert!(Consumption::final_record(m.id, interval).is_some(), "{k} final");
				assert!(
					System::events().iter().any(|r| matches!(
						&r.event,
						RuntimeEvent::Pricing(pallet_pricing::Event::Settled { meter, interval: i, .. })
							if *meter == m.id && *i == interval
					)),
					"meter {:?} interval {k} settled",
					m.id
				);
			}
		}
		invariants();
	});
}
