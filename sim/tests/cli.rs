//! `daeg-sim` on the command line: the community as JSON, a node that no longer simulates, and
//! bad input refused with a clear message and a non-zero exit code.

use std::process::Command;

fn run(args: &[&str]) -> (bool, String, String) {
	let out = Command::new(env!("CARGO_BIN_EXE_daeg-sim"))
		.args(args)
		.output()
		.expect("the simulator runs");
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
