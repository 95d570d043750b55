//! Chain specifications: `dev` (one validator) and `local` (four validators on loopback), both
//! built from the runtime's genesis presets; any other `--chain` value is a JSON file.

use sc_service::ChainType;

/// The chain specification of DAEG (no extensions).
pub type ChainSpec = sc_service::GenericChainSpec;

/// Token properties polkadot.js uses to show balances.
fn properties() -> sc_chain_spec::Properties {
	let mut p = sc_chain_spec::Properties::new();
	p.insert("tokenSymbol".into(), daeg_runtime::TOKEN_SYMBOL.into());
	p.insert("tokenDecimals".into(), daeg_runtime::TOKEN_DECIMALS.into());
	p.insert("ss58Format".into(), daeg_runtime::SS58_PREFIX.into());
	p
}

fn wasm_binary() -> Result<&'static [u8], String> {
	daeg_runtime::WASM_BINARY.ok_or_else(|| {
		"The wasm runtime is not built into this node (was it built with SKIP_WASM_BUILD?)"
			.to_string()
	})
}

/// A chain spec of the runtime's genesis preset `preset`.
fn from_preset(
	name: &str,
	id: &str,
	chain_type: ChainType,
	preset: &str,
) -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name(name)
		.with_id(id)
		.with_chain_type(chain_type)
		.with_genesis_config_preset_name(preset)
		.with_protocol_id("daeg")
		.with_properties(properties())
		.build())
}

/// Single-validator development chain (Alice).
pub fn development_config() -> Result<ChainSpec, String> {
	from_preset(
		"DAEG Development",
		"daeg_dev",
		ChainType::Development,
		sp_genesis_builder::DEV_RUNTIME_PRESET,
	)
}

/// Four-validator local testnet (Alice, Bob, Charlie, Dave).
pub fn local_testnet_config() -> Result<ChainSpec, String> {
	from_preset(
		"DAEG Local Testnet",
		"daeg_local",
		ChainType::Local,
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET,
	)
}
