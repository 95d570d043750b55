//! Orders, and clearing in the hook; the auction itself in [`clearing`].

use crate::mock::*;
use daeg_primitives::{IntervalIndex, TimeScale};

mod clearing;
mod grid;
mod integrity;
mod orders;
mod settlement;
mod weather;

#[test]
fn the_status_shows_the_grids_clock() {
	// A demo chain: 30 s of chain time are one grid hour, and grid time starts on 21 June
	// 2025 when the chain starts.
	const START: u64 = 1_800_000_000_000;
	const MIDSUMMER: u64 = 1_750_464_000_000;
	ext(3_600_000).execute_with(|| {
		let scale = TimeScale { chain_origin_ms: START, grid_origin_ms: MIDSUMMER, rate: 120 };
		pallet_grid::GridTimeScale::<Test>::put(scale);
		Timestamp::set_timestamp(START + 45_000);
		let status = Pricing::status();
		assert_eq!((status.now_ms, status.time_scale), (MIDSUMMER + 90 * 60_000, Some(scale)));
		assert_eq!(status.interval_length_ms, 3_600_000);
		assert_eq!(status.current, IntervalIndex((MIDSUMMER / 3_600_000 + 1) as u32));
	});
}
