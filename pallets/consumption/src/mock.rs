//! A test runtime: system, balances and this pallet.

use crate as pallet_consumption;
use daeg_primitives::{metering::MeterPublic, ZoneId};
use frame_support::{
	derive_impl, ord_parameter_types, parameter_types,
	traits::{ConstU32, Contains},
};
use frame_system::{EnsureRoot, EnsureSignedBy};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Consumption: pallet_consumption,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u128>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = u128;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

/// Zones 0 to 3 exist.
pub struct TestZones;
impl Contains<ZoneId> for TestZones {
	fn contains(z: &ZoneId) -> bool {
		z.0 < 4
	}
}

/// The grid operators' account in tests.
pub const OPERATOR: u64 = 100;
/// Meter owners.
pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
/// An account with no funds.
pub const PAUPER: u64 = 3;
/// The meter deposit.
pub const DEPOSIT: u128 = 50;

ord_parameter_types! {
	pub const Operator: u64 = OPERATOR;
}
parameter_types! {
	pub const MeterDeposit: u128 = DEPOSIT;
}

impl pallet_consumption::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type MeterDeposit = MeterDeposit;
	type MaxMetersPerOwner = ConstU32<3>;
	type Zones = TestZones;
	type ActivateOrigin =
		frame_support::traits::EitherOfDiverse<EnsureRoot<u64>, EnsureSignedBy<Operator, u64>>;
	type WeightInfo = ();
}

/// A distinct device key per `n`.
pub fn key(n: u8) -> MeterPublic {
	MeterPublic::from(sp_core::sr25519::Public::from_raw([n; 32]))
}

/// Alice and Bob hold 1,000 each; the pauper holds nothing.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(ALICE, 1_000), (BOB, 1_000), (OPERATOR, 1_000)],
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test` on a fresh chain and checks the pallet's invariants afterwards.
pub fn run(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		crate::Pallet::<Test>::do_try_state().expect("invariants hold");
	});
}
