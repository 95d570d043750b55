//! The grid clock, orders, and clearing in the hook; the auction itself in [`clearing`].

use crate::{
	is_valid_interval_length, mock::*, GridTimeScale, IntervalLength, DEFAULT_INTERVAL_MS,
};
use daeg_primitives::{GridClock, IntervalIndex, TimeScale};
use sp_runtime::BuildStorage;

mod clearing;
mod grid;
mod integrity;
mod orders;
mod settlement;
mod weather;

#[test]
fn the_default_interval_is_a_quarter_hour() {
	ext(0).execute_with(|| {
		assert_eq!(Pricing::interval_length_ms(), DEFAULT_INTERVAL_MS);
		assert!(Pricing::do_try_state().is_ok());
	});
}

#[test]
fn intervals_follow_the_timestamp() {
	ext(60_000).execute_with(|| {
		Timestamp::set_timestamp(1_800_000_000_000 + 59_999);
		assert_eq!(Pricing::now_ms(), 1_800_000_059_999);
		assert_eq!(Pricing::current_interval(), IntervalIndex(30_000_000));
		assert_eq!(Pricing::intervals_in(2 * 3_600_000), 120);
	});
}

#[test]
fn on_a_scaled_chain_grid_time_runs_faster_than_the_timestamp() {
	// A demo chain: 30 s of chain time are one grid hour, and grid time starts on 21 June
	// 2025 when the chain starts.
	const START: u64 = 1_800_000_000_000;
	const MIDSUMMER: u64 = 1_750_464_000_000;
	ext(3_600_000).execute_with(|| {
		let scale = TimeScale { chain_origin_ms: START, grid_origin_ms: MIDSUMMER, rate: 120 };
		GridTimeScale::<Test>::put(scale);
		Timestamp::set_timestamp(START + 45_000);
		assert_eq!(Pricing::now_ms(), MIDSUMMER + 90 * 60_000);
		assert_eq!(Pricing::current_interval(), IntervalIndex((MIDSUMMER / 3_600_000 + 1) as u32));
		let status = Pricing::status();
		assert_eq!((status.now_ms, status.time_scale), (MIDSUMMER + 90 * 60_000, Some(scale)));
	});
}

#[test]
fn genesis_sets_the_time_scale_and_refuses_grid_time_slower_than_the_chain() {
	let scale = TimeScale { chain_origin_ms: 0, grid_origin_ms: 0, rate: 0 };
	let genesis = RuntimeGenesisConfig {
		pricing: crate::GenesisConfig { time_scale: Some(scale), ..Default::default() },
		..Default::default()
	};
	assert!(std::panic::catch_unwind(|| genesis.build_storage()).is_err());
	let scale = TimeScale { rate: 120, ..scale };
	let genesis = RuntimeGenesisConfig {
		pricing: crate::GenesisConfig { time_scale: Some(scale), ..Default::default() },
		..Default::default()
	};
	let storage = genesis.build_storage().unwrap();
	sp_io::TestExternalities::new(storage)
		.execute_with(|| assert_eq!(GridTimeScale::<Test>::get(), Some(scale)));
}

#[test]
fn interval_lengths_must_divide_an_hour() {
	assert!(is_valid_interval_length(30_000));
	assert!(is_valid_interval_length(3_600_000));
	assert!(!is_valid_interval_length(0));
	assert!(!is_valid_interval_length(7 * 60_000));
	let result = std::panic::catch_unwind(|| ext(7 * 60_000));
	assert!(result.is_err(), "genesis refuses an interval length that does not divide an hour");
	ext(0).execute_with(|| {
		IntervalLength::<Test>::put(7 * 60_000);
		assert!(Pricing::do_try_state().is_err());
	});
}
