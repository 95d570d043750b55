//! The grid's zones, links and clock.

use crate::{
	is_valid_interval_length, mock::*, Error, Event, GenesisConfig, GridTimeScale, IntervalLength,
	Zones, DEFAULT_INTERVAL_MS,
};
use daeg_primitives::{
	grid::{GridClock, TimeScale, ZoneLink, ZoneSpec},
	ZoneId,
};
use daeg_primitives::{IntervalIndex, Power};
use frame_support::BoundedVec;
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{traits::BadOrigin, BuildStorage, Perbill};

fn spec(parent: Option<u16>) -> ZoneSpec {
	ZoneSpec {
		capacity: Power(8_000),
		peak_share: Perbill::from_percent(50),
		parent: parent.map(ZoneId),
	}
}

fn link(a: u16, b: u16) -> ZoneLink {
	ZoneLink { a: ZoneId(a), b: ZoneId(b), a_to_b: Power(1_000), b_to_a: Power(2_000) }
}

fn links(l: Vec<ZoneLink>) -> BoundedVec<ZoneLink, frame_support::traits::ConstU32<4>> {
	BoundedVec::truncate_from(l)
}

#[test]
fn the_default_interval_is_a_quarter_hour() {
	ext().execute_with(|| {
		assert_eq!(Grid::interval_length_ms(), DEFAULT_INTERVAL_MS);
		assert!(Grid::do_try_state().is_ok());
	});
}

#[test]
fn intervals_follow_the_timestamp() {
	ext_with(GenesisConfig { interval_length_ms: 60_000, ..Default::default() }).execute_with(
		|| {
			Timestamp::set_timestamp(1_800_000_000_000 + 59_999);
			assert_eq!(Grid::now_ms(), 1_800_000_059_999);
			assert_eq!(Grid::current_interval(), IntervalIndex(30_000_000));
			assert_eq!(Grid::intervals_in(2 * 3_600_000), 120);
		},
	);
}

#[test]
fn on_a_scaled_chain_grid_time_runs_faster_than_the_timestamp() {
	// A demo chain: 30 s of chain time are one grid hour, and grid time starts on 21 June
	// 2025 when the chain starts.
	const START: u64 = 1_800_000_000_000;
	const MIDSUMMER: u64 = 1_750_464_000_000;
	let scale = TimeScale { chain_origin_ms: START, grid_origin_ms: MIDSUMMER, rate: 120 };
	let genesis = GenesisConfig {
		interval_length_ms: 3_600_000,
		time_scale: Some(scale),
		..Default::default()
	};
	ext_with(genesis).execute_with(|| {
		Timestamp::set_timestamp(START + 45_000);
		assert_eq!(Grid::now_ms(), MIDSUMMER + 90 * 60_000);
		assert_eq!(Grid::current_interval(), IntervalIndex((MIDSUMMER / 3_600_000 + 1) as u32));
		assert_eq!(GridTimeScale::<Test>::get(), Some(scale));
	});
}

#[test]
fn genesis_refuses_grid_time_slower_than_the_chain() {
	let scale = TimeScale { chain_origin_ms: 0, grid_origin_ms: 0, rate: 0 };
	let genesis = RuntimeGenesisConfig {
		grid: GenesisConfig { time_scale: Some(scale), ..Default::default() },
		..Default::default()
	};
	assert!(std::panic::catch_unwind(|| genesis.build_storage()).is_err());
}

#[test]
fn interval_lengths_must_divide_an_hour() {
	assert!(is_valid_interval_length(30_000));
	assert!(is_valid_interval_length(3_600_000));
	assert!(!is_valid_interval_length(0));
	assert!(!is_valid_interval_length(7 * 60_000));
	let result = std::panic::catch_unwind(|| {
		ext_with(GenesisConfig { interval_length_ms: 7 * 60_000, ..Default::default() })
	});
	assert!(result.is_err(), "genesis refuses an interval length that does not divide an hour");
	ext().execute_with(|| {
		IntervalLength::<Test>::put(7 * 60_000);
		assert!(Grid::do_try_state().is_err());
	});
}

#[test]
fn operators_set_and_remove_a_zones_limits() {
	ext().execute_with(|| {
		assert_ok!(Grid::set_zone(RuntimeOrigin::signed(OPERATOR), ZoneId(2), Some(spec(None))));
		assert_eq!(<Grid as daeg_primitives::Grid>::zone(ZoneId(2)), Some(spec(None)));
		System::assert_last_event(
			Event::ZoneSet { zone: ZoneId(2), spec: Some(spec(None)) }.into(),
		);
		assert_ok!(Grid::set_zone(RuntimeOrigin::root(), ZoneId(2), None));
		assert_eq!(Zones::<Test>::get(ZoneId(2)), None);
		assert!(Grid::do_try_state().is_ok());
	});
}

#[test]
fn only_the_operators_change_the_grid() {
	ext().execute_with(|| {
		assert_noop!(
			Grid::set_zone(RuntimeOrigin::signed(ALICE), ZoneId(0), Some(spec(None))),
			BadOrigin
		);
		assert_noop!(
			Grid::set_links(RuntimeOrigin::signed(ALICE), links(vec![link(0, 1)])),
			BadOrigin
		);
	});
}

#[test]
fn a_zone_must_exist_and_carry_something() {
	ext().execute_with(|| {
		let op = || RuntimeOrigin::signed(OPERATOR);
		assert_noop!(Grid::set_zone(op(), ZoneId(4), Some(spec(None))), Error::<Test>::UnknownZone);
		assert_noop!(Grid::set_zone(op(), ZoneId(4), None), Error::<Test>::UnknownZone);
		let empty = ZoneSpec { capacity: Power(0), ..spec(None) };
		assert_noop!(Grid::set_zone(op(), ZoneId(0), Some(empty)), Error::<Test>::BadZone);
	});
}

#[test]
fn microgrids_do_not_nest() {
	ext().execute_with(|| {
		let op = || RuntimeOrigin::signed(OPERATOR);
		// Not inside itself, nor inside a zone the grid does not have.
		assert_noop!(Grid::set_zone(op(), ZoneId(1), Some(spec(Some(1)))), Error::<Test>::BadZone);
		assert_noop!(Grid::set_zone(op(), ZoneId(1), Some(spec(Some(9)))), Error::<Test>::BadZone);
		assert_ok!(Grid::set_zone(op(), ZoneId(1), Some(spec(Some(0)))));
		// Not inside a microgrid.
		assert_noop!(Grid::set_zone(op(), ZoneId(2), Some(spec(Some(1)))), Error::<Test>::BadZone);
		// A zone with a microgrid inside it does not become one itself: zone 1 would then sit
		// two levels deep, and islanding zone 0 would island it too.
		assert_noop!(Grid::set_zone(op(), ZoneId(0), Some(spec(Some(3)))), Error::<Test>::BadZone);
		assert_ok!(Grid::set_zone(op(), ZoneId(0), Some(spec(None))));
		assert!(Grid::do_try_state().is_ok());
	});
}

#[test]
fn operators_set_the_links() {
	ext().execute_with(|| {
		let set = links(vec![link(0, 1), link(1, 2)]);
		assert_ok!(Grid::set_links(RuntimeOrigin::signed(OPERATOR), set.clone()));
		assert_eq!(<Grid as daeg_primitives::Grid>::links(), set);
		System::assert_last_event(Event::LinksSet { links: set }.into());
		assert!(Grid::do_try_state().is_ok());
	});
}

#[test]
fn bad_links_are_refused() {
	ext().execute_with(|| {
		let op = || RuntimeOrigin::signed(OPERATOR);
		assert_noop!(Grid::set_links(op(), links(vec![link(0, 4)])), Error::<Test>::UnknownZone);
		assert_noop!(Grid::set_links(op(), links(vec![link(2, 2)])), Error::<Test>::BadLink);
		// The same two zones linked twice, either way round.
		assert_noop!(
			Grid::set_links(op(), links(vec![link(0, 1), link(1, 0)])),
			Error::<Test>::BadLink
		);
	});
}

#[test]
fn genesis_refuses_a_grid_the_calls_would_refuse() {
	let bad = [
		GenesisConfig { zones: vec![(ZoneId(4), spec(None))], ..Default::default() },
		GenesisConfig {
			zones: vec![(ZoneId(0), spec(Some(1))), (ZoneId(1), spec(Some(2)))],
			..Default::default()
		},
		GenesisConfig { links: vec![link(0, 0)], ..Default::default() },
		GenesisConfig { links: vec![link(0, 1); 5], ..Default::default() },
	];
	for genesis in bad {
		assert!(std::panic::catch_unwind(|| ext_with(genesis)).is_err());
	}
	let good = GenesisConfig {
		zones: vec![(ZoneId(0), spec(None)), (ZoneId(1), spec(Some(0)))],
		links: vec![link(0, 1)],
		..Default::default()
	};
	ext_with(good).execute_with(|| {
		assert_eq!(Zones::<Test>::iter().count(), 2);
		assert!(Grid::do_try_state().is_ok());
	});
}
