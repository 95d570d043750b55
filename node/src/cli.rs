//! Command line of the DAEG node.

use sc_cli::RunCmd;

/// What the node can be asked to do besides running.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: generate, inspect and insert keys (e.g. a validator's session keys).
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Build a chain specification (deprecated in favour of `export-chain-spec`).
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Export the chain specification of `--chain` as JSON.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Benchmarks: `pallet` (generates `weights.rs`), `storage`, `block`, `overhead`,
	/// `extrinsic` and `machine`.
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),

	/// Database meta columns information.
	ChainInfo(sc_cli::ChainInfoCmd),
}

/// The DAEG node's command line.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[clap(flatten)]
	pub run: RunCmd,

	/// The meter oracle's base URL (e.g. `http://127.0.0.1:9955`): the offchain worker fetches
	/// its queued readings there and signs them with the meter keys (`metr`) in the keystore.
	/// Without it the worker relays nothing.
	#[arg(long, value_name = "URL", value_parser = oracle_url)]
	pub meter_oracle: Option<String>,
}

/// Accepts an `http://` or `https://` base URL: the offchain worker's HTTP client speaks
/// nothing else, and a typo should fail at start, not in every block.
fn oracle_url(url: &str) -> Result<String, String> {
	let rest = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"));
	match rest {
		Some(host) if !host.is_empty() => Ok(url.trim_end_matches('/').to_string()),
		_ => Err(format!("expected an http:// or https:// URL, got {url:?}")),
	}
}
