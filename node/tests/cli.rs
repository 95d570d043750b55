//! Bad input on the command line: the node refuses it with a clear message and a non-zero exit
//! code, and never starts a chain from it.

use sp_core::crypto::Ss58Codec;
use std::process::Command;

fn node() -> Command {
	Command::new(env!("CARGO_BIN_EXE_daeg-node"))
}

fn run(cmd: &mut Command) -> (bool, String) {
	let out = cmd.output().expect("the node binary runs");
	let text =
		format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
	(out.status.success(), text)
}

#[test]
fn unknown_flag_is_refused() {
	let (ok, text) = run(node().arg("--frobnicate-the-grid"));
	assert!(!ok);
	assert!(text.contains("unexpected argument '--frobnicate-the-grid'"), "{text}");
}

#[test]
fn a_meter_oracle_that_is_not_an_http_url_is_refused() {
	let (ok, text) = run(node().args(["--dev", "--meter-oracle", "127.0.0.1:9955"]));
	assert!(!ok);
	assert!(text.contains("expected an http:// or https:// URL"), "{text}");
}

#[test]
fn malformed_chain_spec_is_refused() {
	let dir = std::env::temp_dir().join(format!("daeg-cli-test-{}", std::process::id()));
	std::fs::create_dir_all(&dir).unwrap();
	let spec = dir.join("broken.json");
	std::fs::write(&spec, br#"{ "name": "broken", "id": "#).unwrap();
	let (ok, text) = run(node()
		.args(["--chain"])
		.arg(&spec)
		.args(["--base-path"])
		.arg(dir.join("db"))
		.args(["--no-telemetry", "--rpc-port", "0", "--port", "0"]));
	assert!(!ok);
	assert!(text.contains("cannot use chain spec"), "{text}");
	assert!(!dir.join("db").join("chains").exists(), "no chain was started");
	std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn missing_chain_spec_file_is_refused() {
	let (ok, text) = run(node().args(["--chain", "/nonexistent/daeg-spec.json", "--tmp"]));
	assert!(!ok);
	assert!(text.contains("cannot use chain spec `/nonexistent/daeg-spec.json`"), "{text}");
}

#[test]
fn dev_chain_spec_exports_the_operators_multisig_as_sudo_key() {
	let (ok, text) = run(node().args(["export-chain-spec", "--chain", "dev"]));
	assert!(ok, "{text}");
	let spec: serde_json::Value = serde_json::from_str(&text).expect("the chain spec is JSON");
	assert_eq!(spec["properties"]["tokenSymbol"], "DAEG");
	assert_eq!(spec["properties"]["tokenDecimals"], 12);
	let operators = daeg_runtime::genesis_config_presets::dev_operators_account().to_ss58check();
	assert_eq!(spec["genesis"]["runtimeGenesis"]["patch"]["sudo"]["key"], operators.as_str());
}

#[test]
fn version_names_the_node() {
	let (ok, text) = run(node().arg("--version"));
	assert!(ok);
	assert!(text.starts_with("daeg-node "), "{text}");
}

#[test]
fn the_validator_does_not_simulate() {
	// The community and the simulation live in `daeg-sim`.
	let (ok, text) = run(node().arg("simulate"));
	assert!(!ok);
	assert!(text.contains("unrecognized subcommand 'simulate'"), "{text}");
}
