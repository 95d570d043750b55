//! `daeg-sim` on the command line: the community as JSON, a node that no longer simulates, and
//! bad input refused with a clear message and a non-zero exit code.

use std::{
	io::Write,
	process::{Command, Stdio},
};

fn run(args: &[&str]) -> (bool, String, String) {
	run_with(args, "")
}

/// Runs `daeg-sim` with `args` and `stdin`: (success, stdout, stderr).
fn run_with(args: &[&str], stdin: &str) -> (bool, String, String) {
	let mut child = Command::new(env!("CARGO_BIN_EXE_daeg-sim"))
		.args(args)
		.stdin(Stdio::piped())
		.stdout(Stdio::piped())
		.stderr(Stdio::piped())
		.spawn()
		.expect("the simulator runs");
	child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("stdin written");
	let out = child.wait_with_output().expect("the simulator ends");
	let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
	(out.status.success(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn describe_prints_the_community_as_json() {
	let (ok, stdout, stderr) = run(&["community", "describe", "--households", "3"]);
	assert!(ok, "{stderr}");
	let community: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
	let members = community["members"].as_array().expect("members");
	assert!(members.len() > 3, "the households and the community's plants");
	assert!(community["zones"].as_array().is_some_and(|z| !z.is_empty()));
}

#[test]
fn bad_input_is_refused() {
	let (ok, _, stderr) =
		run(&["community", "plan", "--from-ms", "0", "--interval-ms", "0", "--count", "1"]);
	assert!(!ok);
	assert!(stderr.contains("--interval-ms must be positive"), "{stderr}");
	let (ok, _, stderr) = run(&["run", "--start", "June", "--out", "/tmp/never"]);
	assert!(!ok);
	assert!(stderr.contains("--start must be a date"), "{stderr}");
}

#[test]
fn a_scenario_file_is_the_community() {
	let demo = include_str!("../../scenarios/community.toml");
	let file = std::env::temp_dir().join(format!("daeg-scenario-{}.toml", std::process::id()));
	std::fs::write(&file, demo.replace("min_meters = 5", "min_meters = 7")).expect("written");
	let describe = |extra: &[&str]| {
		let (ok, stdout, stderr) = run(&[&["community", "describe"], extra].concat());
		assert!(ok, "{stderr}");
		serde_json::from_str::<serde_json::Value>(&stdout).expect("JSON")
	};
	let (default, edited) =
		(describe(&[]), describe(&["--scenario", file.to_str().expect("utf-8")]));
	assert_eq!(default["grid"]["breakers"]["min_meters"], 5);
	assert_eq!(edited["grid"]["breakers"]["min_meters"], 7);
	assert_eq!(default["members"], edited["members"]);
	std::fs::write(&file, demo.replace("[grid.breakers]", "[grid.breaker]")).expect("written");
	let (ok, _, stderr) =
		run(&["community", "describe", "--scenario", file.to_str().expect("utf-8")]);
	assert!(!ok);
	assert!(stderr.contains("breaker"), "{stderr}");
	std::fs::remove_file(file).ok();
}

#[test]
fn dispatch_turns_the_schedule_and_sales_into_meter_power() {
	let input = r#"{
		"scheduled": { "community-battery/main": { "Charge": 10000 }, "farm/battery": "Idle" },
		"sold": { "gas-peaker/main": 5000, "wind-turbine/main": 9000 }
	}"#;
	let (ok, stdout, stderr) =
		run_with(&["community", "dispatch", "--interval-ms", "1800000"], input);
	assert!(ok, "{stderr}");
	let watts: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
	// Half-hour intervals: 10 kWh charged is 20 kW; the peaker's 5 kWh sold is 10 kW exported;
	// the turbine follows the wind, not its sales.
	assert_eq!(
		watts,
		serde_json::json!({
			"community-battery/main": 20000.0,
			"farm/battery": 0.0,
			"gas-peaker/main": -10000.0,
		})
	);
	let (ok, _, stderr) = run_with(&["community", "dispatch", "--interval-ms", "60000"], "{");
	assert!(!ok);
	assert!(stderr.contains("stdin"), "{stderr}");
}
