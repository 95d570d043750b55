//! A test runtime: system, timestamp and this pallet, with four zones and up to four links.

use crate as pallet_grid;
use frame_support::{derive_impl, ord_parameter_types, traits::ConstU32};
use frame_system::{EnsureRoot, EnsureSignedBy};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Grid: pallet_grid,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

#[derive_impl(pallet_timestamp::config_preludes::TestDefaultConfig)]
impl pallet_timestamp::Config for Test {}

/// The grid operators.
pub const OPERATOR: u64 = 100;
/// Anyone else.
pub const ALICE: u64 = 1;

ord_parameter_types! {
	pub const Operator: u64 = OPERATOR;
}

impl pallet_grid::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type OperatorOrigin =
		frame_support::traits::EitherOfDiverse<EnsureRoot<u64>, EnsureSignedBy<Operator, u64>>;
	type MaxZones = ConstU32<4>;
	type MaxLinks = ConstU32<4>;
	type WeightInfo = ();
}

/// A chain with `genesis`'s grid, at block 1 (so that events are kept).
pub fn ext_with(genesis: pallet_grid::GenesisConfig<Test>) -> sp_io::TestExternalities {
	let storage = RuntimeGenesisConfig { grid: genesis, ..Default::default() }
		.build_storage()
		.expect("the test genesis is valid");
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// A chain with the default grid: four zones without limits or links, quarter-hour intervals.
pub fn ext() -> sp_io::TestExternalities {
	ext_with(Default::default())
}
