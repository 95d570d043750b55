//! `daeg-sim run`: the research mode. Runs the community (`crate::community`) for a
//! number of days through DAEG's real runtime, natively and without networking (see
//! [`world`]), and writes into `--out`:
//! - `intervals.csv`: per interval, consumption, production by source, storage, traded energy,
//!   what balancing could not cover, certificates and CO₂ avoided, readings and substitutes,
//!   demand response and breakers, and each zone's clearing price and tariff;
//! - `bills.csv`: each member's metered energy and settled money;
//! - `summary.json`: self-sufficiency, peak load, average price, bills, CO₂ and the run's time.
//!
//! `scripts/simulate.sh` runs it and draws the PNG plots (`scripts/plot_simulation.py`).

pub mod report;
pub mod storage;
pub mod world;

use crate::{
	community::{profiles::Profiles, Community},
	RunCmd,
};
use daeg_primitives::{DayIndex, DAY_MS};
use report::{Results, Summary, SOURCES};
use std::{
	io::Write,
	path::Path,
	time::{Duration, Instant},
};
use world::World;

/// Intervals run before the first reported one, so that its book has its orders (placed for
/// the first open interval, past the gate).
const WARM_UP: u32 = 3;
/// Intervals run after the last reported one, so that its readings, balancing and settlement
/// land (readings are final an interval after their own, settlement follows).
const TAIL: u32 = 4;

/// What `simulate` needs, without the command line.
pub struct Run {
	/// The community.
	pub community: Community,
	/// How many days.
	pub days: u32,
	/// The first day, ms since the Unix epoch (midnight UTC).
	pub start_ms: u64,
	/// The interval length, ms.
	pub interval_ms: u64,
}

/// Runs a simulation from the command line.
pub fn run(cmd: &RunCmd) -> Result<(), String> {
	let start_ms = parse_date(&cmd.start).ok_or("--start must be a date, YYYY-MM-DD")?;
	if cmd.interval_minutes == 0 || 1_440 % cmd.interval_minutes != 0 {
		return Err("--interval-minutes must divide a day".into());
	}
	let run = Run {
		community: cmd.community.community()?,
		days: cmd.days,
		start_ms,
		interval_ms: cmd.interval_minutes * 60_000,
	};
	// Every host function the runtime calls opens a tracing span; with no subscriber, each
	// would also be offered to `log`. Nothing listens here: a subscriber that wants none of
	// them makes each span a no-op.
	let _ = tracing::subscriber::set_global_default(tracing::subscriber::NoSubscriber::default());
	let quiet = cmd.quiet;
	let summary = simulate(run, &cmd.out, |done, total, elapsed| {
		if !quiet {
			progress(done, total, elapsed)
		}
	})?;
	eprintln!();
	println!("{}", serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?);
	Ok(())
}

/// Runs `run`, writes its results into `out` and returns its summary; `on_progress` hears
/// (intervals done, intervals in all, time so far) after each interval.
pub fn simulate(
	run: Run,
	out: &Path,
	mut on_progress: impl FnMut(u32, u32, Duration),
) -> Result<Summary, String> {
	let began = Instant::now();
	std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
	let profiles = Profiles::embedded()?;
	let Run { community: c, days, start_ms, interval_ms } = run;
	let names: Vec<String> = c.members.iter().map(|m| m.name.clone()).collect();
	let first = u32::try_from(start_ms / interval_ms).map_err(|e| e.to_string())?;
	let per_day = u32::try_from(DAY_MS / interval_ms).map_err(|e| e.to_string())?;
	let reported = days.saturating_mul(per_day);
	let total = WARM_UP.saturating_add(reported).saturating_add(TAIL);

	// Registration happens in the interval before the warm-up.
	let from = first.checked_sub(WARM_UP).ok_or("--start is too early")?;
	let setup_ms = u64::from(from.saturating_sub(1)) * interval_ms;
	let mut world = World::new(c, profiles, setup_ms, interval_ms).map_err(|e| e.0)?;
	let mut results = Results::new(&mut world);
	results.fold(world.take_events());
	for k in 0..total {
		world.run_interval(from.saturating_add(k)).map_err(|e| e.0)?;
		results.fold(world.take_events());
		on_progress(k + 1, total, began.elapsed());
	}

	let intervals: Vec<u32> = (first..first.saturating_add(reported)).collect();
	let intensities: Vec<u32> = world.read(|| {
		SOURCES
			.iter()
			.map(|s| pallet_consumption::SourceIntensities::<daeg_runtime::Runtime>::get(s).0)
			.collect()
	});
	let mut summary = results.summary(&intervals, interval_ms, &intensities);
	summary.wall_seconds = began.elapsed().as_secs_f64();
	let write = |name: &str, body: String| {
		std::fs::write(out.join(name), body).map_err(|e| format!("{name}: {e}"))
	};
	write("intervals.csv", results.intervals_csv(&intervals, interval_ms))?;
	write("bills.csv", results.bills_csv(&names))?;
	write("summary.json", serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?)?;
	Ok(summary)
}

/// Midnight UTC of `YYYY-MM-DD`, ms since the Unix epoch.
fn parse_date(s: &str) -> Option<u64> {
	let mut parts = s.splitn(3, '-');
	let y: i64 = parts.next()?.parse().ok()?;
	let m: u8 = parts.next()?.parse().ok()?;
	let d: u8 = parts.next()?.parse().ok()?;
	DayIndex::from_date(y, m, d).map(|day| u64::from(day.0) * DAY_MS)
}

/// A progress bar on stderr: `[#####.....]  42 %  day 13/30  12 s, about 16 s left`.
fn progress(done: u32, total: u32, elapsed: Duration) {
	const WIDTH: u32 = 30;
	let filled = (done * WIDTH / total.max(1)) as usize;
	let left = elapsed.as_secs_f64() / f64::from(done.max(1)) * f64::from(total - done);
	let _ = write!(
		std::io::stderr().lock(),
		"\r[{}{}] {:3} %  {}/{} intervals  {:.0} s, about {:.0} s left ",
		"#".repeat(filled),
		".".repeat(WIDTH as usize - filled),
		done * 100 / total.max(1),
		done,
		total,
		elapsed.as_secs_f64(),
		left
	);
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn dates_round_trip() {
		assert_eq!(parse_date("1970-01-01"), Some(0));
		let ms = parse_date("2025-06-21").unwrap();
		assert_eq!(report::utc(ms + 13 * 3_600_000), "2025-06-21 13:00");
		assert_eq!(report::utc(parse_date("2024-02-29").unwrap()), "2024-02-29 00:00");
		assert_eq!(parse_date("2025-13-01"), None);
	}

	/// The demo community from 21 June 2025 for two days of hourly intervals.
	fn two_june_days() -> Run {
		Run {
			community: crate::community::tests::demo(30),
			days: 2,
			start_ms: parse_date("2025-06-21").unwrap(),
			interval_ms: 3_600_000,
		}
	}

	/// Where the committed results of [`two_june_days`] are.
	const EXPECTED: &str =
		concat!(env!("CARGO_MANIFEST_DIR"), "/tests/expected/june-2-days-30-homes");

	#[test]
	fn two_days_of_the_community_trade_meter_settle_and_balance() {
		let out = std::env::temp_dir().join(format!("daeg-simulate-{}", std::process::id()));
		let s = simulate(two_june_days(), &out, |_, _, _| {}).unwrap();
		assert_eq!(s.intervals, 48);
		// Every meter of the community has a value in every interval.
		let community = two_june_days().community;
		let meters = community.members.iter().map(|m| m.meters.len() as u64).sum::<u64>();
		assert!(s.readings >= meters * 46, "{} readings of {meters} meters", s.readings);
		assert!(s.traded_mwh > 0.0 && s.average_price > 0.0, "{s:?}");
		assert!(s.consumption_mwh > 0.0);
		let solar = s.production_mwh.iter().find(|(n, _)| n == "Solar").unwrap().1;
		assert!(solar > 0.0, "PV exported in June");
		assert!(s.storage_charged_mwh > 0.0 && s.storage_discharged_mwh > 0.0, "{s:?}");
		assert!(s.self_sufficiency > 0.0 && s.self_sufficiency <= 1.0);
		assert!(s.certified_mwh > 0.0 && s.co2_avoided_kg > 0.0);
		let csv = std::fs::read_to_string(out.join("intervals.csv")).unwrap();
		assert_eq!(csv.lines().count(), 1 + 48);
		assert!(csv.lines().nth(1).unwrap().contains("2025-06-21 00:00"));
		let bills = std::fs::read_to_string(out.join("bills.csv")).unwrap();
		assert_eq!(bills.lines().count(), 1 + community.members.len());

		// The same results as committed, to the last digit: a change of layout changes no
		// outcome. (`DAEG_BLESS=1` writes them anew after an intended change of behaviour.)
		let expected = std::path::Path::new(EXPECTED);
		let summary = serde_json::to_value(Summary { wall_seconds: 0.0, ..s }).unwrap();
		if std::env::var_os("DAEG_BLESS").is_some() {
			let pretty = serde_json::to_string_pretty(&summary).unwrap() + "\n";
			std::fs::write(expected.join("summary.json"), pretty).unwrap();
			std::fs::write(expected.join("intervals.csv"), &csv).unwrap();
			std::fs::write(expected.join("bills.csv"), &bills).unwrap();
		}
		let committed = |name: &str| std::fs::read_to_string(expected.join(name)).unwrap();
		let committed_summary: serde_json::Value =
			serde_json::from_str(&committed("summary.json")).unwrap();
		assert_eq!(summary, committed_summary);
		assert_eq!(csv, committed("intervals.csv"));
		assert_eq!(bills, committed("bills.csv"));
		std::fs::remove_dir_all(out).ok();
	}
}
