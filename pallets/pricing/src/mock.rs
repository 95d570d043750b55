//! A test runtime: system, balances, timestamp, this pallet, and meter and facility registries
//! the tests fill.

use crate as pallet_pricing;
use daeg_primitives::{
	metering::{MeterInfo, MeterKind, MeterRegistry, MeterStatus},
	production::{FacilityInfo, FacilityRegistry},
	EnergySource, FacilityId, MeterId, Power, ZoneId,
};
use frame_support::{derive_impl, ord_parameter_types, parameter_types, traits::ConstU32};
use frame_system::{EnsureRoot, EnsureSignedBy};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Balances: pallet_balances,
		Pricing: pallet_pricing,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u128>;
}

#[derive_impl(pallet_timestamp::config_preludes::TestDefaultConfig)]
impl pallet_timestamp::Config for Test {}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = u128;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

/// Buyers and sellers.
pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
pub const CAROL: u64 = 3;
/// The grid operators.
pub const OPERATOR: u64 = 100;
/// Intervals in tests: a quarter-hour.
pub const INTERVAL_MS: u64 = 900_000;

ord_parameter_types! {
	pub const Operator: u64 = OPERATOR;
}

parameter_types! {
	/// Meters: id → (owner, zone, active).
	pub static TestMeters: Vec<(MeterId, u64, ZoneId, bool)> = vec![];
	/// Facilities: id → (owner, source, zone, may sell).
	pub static TestFacilities: Vec<(FacilityId, u64, EnergySource, ZoneId, bool)> = vec![];
}

/// A meter registry over [`TestMeters`].
pub struct Meters;
impl MeterRegistry<u64> for Meters {
	fn meter(id: MeterId) -> Option<MeterInfo<u64>> {
		TestMeters::get().into_iter().find(|m| m.0 == id).map(|(_, owner, zone, active)| {
			MeterInfo {
				owner,
				kind: MeterKind::Consumption,
				zone,
				max_power: Power(100_000),
				status: if active { MeterStatus::Active } else { MeterStatus::Suspended },
			}
		})
	}
}

/// A facility registry over [`TestFacilities`].
pub struct Facilities;
impl FacilityRegistry<u64> for Facilities {
	fn facility(id: FacilityId) -> Option<FacilityInfo<u64>> {
		TestFacilities::get().into_iter().find(|f| f.0 == id).map(|(_, owner, source, zone, _)| {
			FacilityInfo { owner, source, capacity: Power(100_000), zone, meter: MeterId(0) }
		})
	}
	fn may_sell(id: FacilityId, _at_ms: u64) -> bool {
		TestFacilities::get().into_iter().any(|f| f.0 == id && f.4)
	}
}

/// A meter of `owner`'s in `zone`.
pub fn meter(owner: u64, zone: u16) -> MeterId {
	let id = MeterId(TestMeters::get().len() as u64 + 1);
	TestMeters::mutate(|m| m.push((id, owner, ZoneId(zone), true)));
	id
}

/// A facility of `owner`'s of `source` in `zone` that may sell (or not).
pub fn facility(owner: u64, source: EnergySource, zone: u16, may_sell: bool) -> FacilityId {
	let id = FacilityId(TestFacilities::get().len() as u32 + 1);
	TestFacilities::mutate(|f| f.push((id, owner, source, ZoneId(zone), may_sell)));
	id
}

/// Registers meters and facilities in the test registries for the benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct Helper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64> for Helper {
	fn meter(owner: &u64, zone: ZoneId) -> MeterId {
		meter(*owner, zone.0)
	}
	fn selling_facility(owner: &u64, zone: ZoneId) -> FacilityId {
		facility(*owner, EnergySource::Wind, zone.0, true)
	}
}

impl pallet_pricing::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Meters = Meters;
	type Facilities = Facilities;
	type GovernanceOrigin =
		frame_support::traits::EitherOfDiverse<EnsureRoot<u64>, EnsureSignedBy<Operator, u64>>;
	type MaxOrdersPerInterval = ConstU32<600>;
	type MaxOrdersPerAccount = ConstU32<300>;
	type MaxLinks = ConstU32<4>;
	type GateClosureIntervals = ConstU32<1>;
	type MaxIntervalsAhead = ConstU32<8>;
	#[cfg(feature = "runtime-benchmarks")]
	type Helper = Helper;
	type WeightInfo = ();
}

/// A chain with `interval_length_ms` intervals (0: the default); Alice, Bob and Carol hold
/// 10^9 each.
pub fn ext(interval_length_ms: u64) -> sp_io::TestExternalities {
	let mut t = RuntimeGenesisConfig {
		pricing: pallet_pricing::GenesisConfig { interval_length_ms, ..Default::default() },
		..Default::default()
	}
	.build_storage()
	.unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(ALICE, 1_000_000_000), (BOB, 1_000_000_000), (CAROL, 1_000_000_000)],
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		System::set_block_number(1);
		TestMeters::set(vec![]);
		TestFacilities::set(vec![]);
	});
	ext
}

/// Runs `test` on a fresh chain of quarter-hours and checks the invariants afterwards.
pub fn run(test: impl FnOnce()) {
	ext(INTERVAL_MS).execute_with(|| {
		test();
		crate::Pallet::<Test>::do_try_state().expect("invariants hold");
	});
}
