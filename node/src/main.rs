//! DAEG validator node.

mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod community;
mod rpc;
mod service;
mod simulate;

fn main() -> sc_cli::Result<()> {
	command::run()
}
