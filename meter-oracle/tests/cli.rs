//! The oracle binary refuses a bad configuration with a clear message and a failure status.

use std::process::Command;

fn run(config: &str) -> (bool, String) {
	let dir = tempfile::tempdir().unwrap();
	let path = dir.path().join("oracle.toml");
	std::fs::write(&path, config.replace("STATE", &dir.path().join("state").display().to_string()))
		.unwrap();
	let out = Command::new(env!("CARGO_BIN_EXE_daeg-meter-oracle"))
		.arg("--config")
		.arg(&path)
		.output()
		.unwrap();
	(out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn an_unknown_register_map_is_named_with_the_known_ones() {
	let (ok, err) = run(r#"
		interval_secs = 30
		state_dir = "STATE"
		[[meter]]
		name = "house"
		chain_id = 0
		map = "sdm999"
		transport = "tcp"
		address = "127.0.0.1:5020"
	"#);
	assert!(!ok);
	assert!(err.contains("no register map sdm999"), "{err}");
	assert!(err.contains("sdm630"), "lists the known maps: {err}");
}

#[test]
fn a_missing_or_malformed_configuration_is_refused() {
	let (ok, err) = run("interval_secs = \"thirty\"");
	assert!(!ok);
	assert!(err.contains("configuration"), "{err}");
	let out = Command::new(env!("CARGO_BIN_EXE_daeg-meter-oracle"))
		.args(["--config", "/nonexistent/oracle.toml"])
		.output()
		.unwrap();
	assert!(!out.status.success());
	assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/oracle.toml"));
}
