//! A test runtime: system, timestamp, balances, the grid, the market (`pallet-pricing`) and this
//! pallet, over meter and facility registries, priority classes and final values the tests
//! fill. The grid and the market are the real ones, so that scenarios clear real auctions and
//! settle real payments.

use crate as pallet_balancing;
use daeg_primitives::{
	consumption::{
		Anomaly, ConsumerPreferences, ConsumerProfiles, IntervalRecord, MeterKind, OnFinalInterval,
		PriorityClass, Quality,
	},
	Energy, EnergySource, FacilityId, IntervalIndex, MeterId, ZoneId,
};
use frame_support::{
	derive_impl, ord_parameter_types, parameter_types,
	traits::{ConstU32, Hooks},
};
use frame_system::{EnsureRoot, EnsureSignedBy};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Balances: pallet_balances,
		Grid: pallet_grid,
		Pricing: pallet_pricing,
		Balancing: pallet_balancing,
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

/// The grid operators.
pub const OPERATOR: u64 = 100;
/// The market's account.
pub const MARKET: u64 = 999;
/// What genesis puts in the settlement pot.
pub const POT: u128 = 100_000_000;
/// Intervals in tests: a quarter-hour.
pub const INTERVAL_MS: u64 = 900_000;
/// What every account starts with.
pub const START: u128 = 1_000_000_000;

ord_parameter_types! {
	pub const Operator: u64 = OPERATOR;
}

parameter_types! {
	/// Priority classes other than `Standard`.
	pub static Priorities: Vec<(u64, PriorityClass)> = vec![];
	pub const MarketAccount: u64 = MARKET;
}

/// Meters of 50 kW.
pub type Meters = daeg_test_doubles::Meters<50_000>;
/// Facilities of 1 MW.
pub type Facilities = daeg_test_doubles::Facilities<1_000_000>;
pub use daeg_test_doubles::{Ledger, Metered};

/// Priority classes over [`Priorities`].
pub struct Consumers;
impl ConsumerProfiles<u64> for Consumers {
	fn preferences(_: &u64) -> ConsumerPreferences {
		ConsumerPreferences::default()
	}
	fn priority(who: &u64) -> PriorityClass {
		Priorities::get().into_iter().find(|(w, _)| w == who).map(|(_, c)| c).unwrap_or_default()
	}
}

type Operators =
	frame_support::traits::EitherOfDiverse<EnsureRoot<u64>, EnsureSignedBy<Operator, u64>>;

frame_support::parameter_types! {
	/// Root releases quarantined values as the operators do: no account of its own.
	pub const NoAccount: Option<u64> = None;
}

impl pallet_grid::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type OperatorOrigin = Operators;
	type MaxZones = ConstU32<4>;
	type MaxLinks = ConstU32<4>;
	type WeightInfo = ();
}

impl pallet_pricing::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Meters = Meters;
	type Facilities = Facilities;
	type Balancing = Balancing;
	type Grid = Grid;
	type Metered = Metered;
	type Purchases = Ledger;
	type MarketAccount = MarketAccount;
	type OperatorOrigin = Operators;
	type ReleaseOrigin = frame_system::EnsureRootWithSuccess<u64, NoAccount>;
	type MaxOrdersPerInterval = ConstU32<512>;
	type MaxOrdersPerAccount = ConstU32<16>;
	type GateClosureIntervals = ConstU32<1>;
	type MaxIntervalsAhead = ConstU32<8>;
	type SettlementDeadline = ConstU32<12>;
	type PriceHistoryIntervals = ConstU32<96>;
	type StatementDays = ConstU32<3>;
	type MaxWeatherOracles = ConstU32<1>;
	#[cfg(feature = "runtime-benchmarks")]
	type Helper = Helper;
	type WeightInfo = ();
}

/// Registers meters and facilities in the test registries for the benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct Helper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_pricing::BenchmarkHelper<u64> for Helper {
	fn meter(owner: &u64, zone: ZoneId) -> MeterId {
		meter(*owner, zone.0, MeterKind::Consumption)
	}
	fn selling_facility(owner: &u64, zone: ZoneId) -> FacilityId {
		facility(*owner, EnergySource::Wind, zone.0)
	}
}
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64> for Helper {
	fn meter(owner: &u64, kind: MeterKind, zone: ZoneId) -> MeterId {
		meter(*owner, zone.0, kind)
	}
}

impl pallet_balancing::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Meters = Meters;
	type Consumers = Consumers;
	type Grid = Grid;
	type Fund = Pricing;
	type OperatorOrigin = Operators;
	type MaxUnitsPerZone = ConstU32<4>;
	type MaxParticipants = ConstU32<8>;
	type BaselineIntervals = ConstU32<4>;
	type HistoryIntervals = ConstU32<96>;
	type MaxEventIntervals = ConstU32<8>;
	#[cfg(feature = "runtime-benchmarks")]
	type Helper = Helper;
	type WeightInfo = ();
}

pub use daeg_test_doubles::{add_meter as meter, set_active};

/// A facility of `owner`'s of `source` in `zone` that may sell, with its own production meter.
pub fn facility(owner: u64, source: EnergySource, zone: u16) -> FacilityId {
	daeg_test_doubles::add_facility(owner, source, zone, true)
}

/// Makes `(imported, exported)` the final value of `meter` in `interval` and tells the market
/// and this pallet, as the consumption pallet's finalization pass does.
pub fn finalize_with(
	meter: MeterId,
	interval: IntervalIndex,
	imported: u64,
	exported: u64,
	quality: Quality,
	anomaly: Option<Anomaly>,
) {
	let record = IntervalRecord {
		interval,
		imported: Energy(imported),
		exported: Energy(exported),
		quality,
		anomaly,
	};
	daeg_test_doubles::record_final(meter, record);
	<(Pricing, Balancing) as OnFinalInterval>::on_final(meter, &record);
}

/// A measured, unflagged final value.
pub fn finalize(meter: MeterId, interval: IntervalIndex, imported: u64, exported: u64) {
	finalize_with(meter, interval, imported, exported, Quality::Measured, None)
}

/// Runs the market's hook in a block at grid time `ms`.
pub fn block_at(ms: u64) {
	Timestamp::set_timestamp(ms);
	System::set_block_number(System::block_number() + 1);
	Pricing::on_initialize(System::block_number());
}

/// A chain of quarter-hours where accounts 1 to 20 hold [`START`] each.
pub fn ext() -> sp_io::TestExternalities {
	let t = RuntimeGenesisConfig {
		balances: pallet_balances::GenesisConfig {
			balances: (1..=20).map(|a| (a, START)).collect(),
			..Default::default()
		},
		grid: pallet_grid::GenesisConfig { interval_length_ms: INTERVAL_MS, ..Default::default() },
		pricing: pallet_pricing::GenesisConfig { pot: POT, ..Default::default() },
		..Default::default()
	}
	.build_storage()
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		System::set_block_number(1);
		daeg_test_doubles::reset(0);
		Priorities::set(vec![]);
	});
	ext
}

/// Runs `test` on a fresh chain and checks both pallets' invariants afterwards.
pub fn run(test: impl FnOnce()) {
	ext().execute_with(|| {
		test();
		pallet_pricing::Pallet::<Test>::do_try_state().expect("the market's invariants hold");
		crate::Pallet::<Test>::do_try_state().expect("balancing's invariants hold");
		pallet_grid::Pallet::<Test>::do_try_state().expect("the grid's invariants hold");
	});
}
