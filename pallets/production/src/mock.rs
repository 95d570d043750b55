//! A test runtime: system, balances, this pallet, and a meter registry the tests fill.

use crate as pallet_production;
use daeg_primitives::{
	metering::{MeterInfo, MeterKind, MeterRegistry, MeterStatus},
	GridClock, MeterId, Power, ZoneId,
};
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
		Production: pallet_production,
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
/// Producers.
pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
/// An account with no funds.
pub const PAUPER: u64 = 3;
/// A certifier once appointed.
pub const CERTIFIER: u64 = 7;
/// Days of production kept.
pub const DAYS_KEPT: u32 = 7;
/// The facility deposit.
pub const DEPOSIT: u128 = 40;

ord_parameter_types! {
	pub const Operator: u64 = OPERATOR;
}

parameter_types! {
	/// The meters tests register: id → (owner, kind, zone).
	pub static TestMeters: Vec<(MeterId, u64, MeterKind, ZoneId)> = vec![];
	/// Grid time in tests.
	pub static NowMs: u64 = 1_000;
}

/// A meter registry over [`TestMeters`].
pub struct Meters;
impl MeterRegistry<u64> for Meters {
	fn meter(id: MeterId) -> Option<MeterInfo<u64>> {
		TestMeters::get().into_iter().find(|m| m.0 == id).map(|(_, owner, kind, zone)| MeterInfo {
			owner,
			kind,
			zone,
			max_power: Power(1_000_000),
			status: MeterStatus::Active,
		})
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl daeg_primitives::metering::MeterBenchmarkHelper<u64> for Meters {
	fn active_meter(owner: &u64, kind: MeterKind, zone: ZoneId) -> MeterId {
		let id = MeterId(TestMeters::get().len() as u64 + 1_000);
		TestMeters::mutate(|m| m.push((id, *owner, kind, zone)));
		id
	}
}

/// A clock that tests set.
pub struct TestClock;
impl GridClock for TestClock {
	fn interval_length_ms() -> u64 {
		900_000
	}
	fn now_ms() -> u64 {
		NowMs::get()
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn set_now_ms(at_ms: u64) {
		NowMs::set(at_ms)
	}
}

impl pallet_production::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type FacilityDeposit = frame_support::traits::ConstU128<DEPOSIT>;
	type MaxFacilitiesPerProducer = ConstU32<2>;
	type MaxCertifiers = ConstU32<2>;
	type Meters = Meters;
	#[cfg(feature = "runtime-benchmarks")]
	type MeterHelper = Meters;
	type Zones = TestZones;
	type GovernanceOrigin =
		frame_support::traits::EitherOfDiverse<EnsureRoot<u64>, EnsureSignedBy<Operator, u64>>;
	type Clock = TestClock;
	type DaysKept = ConstU32<DAYS_KEPT>;
	type WeightInfo = ();
}

/// Alice and Bob hold 1,000 each; the pauper holds nothing.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(ALICE, 1_000), (BOB, 1_000), (OPERATOR, 1_000), (CERTIFIER, 1_000)],
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		System::set_block_number(1);
		NowMs::set(1_000);
		TestMeters::set(vec![]);
	});
	ext
}

/// Runs `test` on a fresh chain and checks the pallet's invariants afterwards.
pub fn run(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		crate::Pallet::<Test>::do_try_state().expect("invariants hold");
	});
}
