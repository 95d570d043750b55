//! The grid clock, orders, and clearing in the hook; the auction itself in [`clearing`].

use crate::{is_valid_interval_length, mock::*, IntervalLength, DEFAULT_INTERVAL_MS};
use daeg_primitives::{GridClock, IntervalIndex};

mod clearing;
mod grid;
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
