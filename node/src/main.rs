//! DAEG validator node.

mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

/// jemalloc, as Polkadot's own node uses: the runtime allocates and frees many small buffers
/// (every storage value read, every event), which glibc's allocator serves markedly slower.
/// The allocator comes with the SDK's dependency tree already (polkadot-overseer).
#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> sc_cli::Result<()> {
	command::run()
}
