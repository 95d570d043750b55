//! The pallets whose benchmarks the node's `benchmark pallet` command runs on this runtime.

pub use frame_benchmarking::baseline::Pallet as Baseline;
pub use frame_system_benchmarking::{
	extensions::Pallet as SystemExtensionsBench, Pallet as SystemBench,
};

impl frame_system_benchmarking::Config for crate::Runtime {}
impl frame_benchmarking::baseline::Config for crate::Runtime {}

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, Baseline::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[frame_system_extensions, SystemExtensionsBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_multisig, Multisig]
	[pallet_utility, Utility]
	[pallet_sudo, Sudo]
	[pallet_grid, Grid]
	[pallet_consumption, Consumption]
	[pallet_production, Production]
	[pallet_pricing, Pricing]
	[pallet_balancing, Balancing]
);
