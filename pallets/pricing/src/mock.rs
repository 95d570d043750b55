//! A test runtime: system, balances, timestamp, the grid, this pallet, and meter and facility registries,
//! final metered values and a purchase ledger the tests fill and read.

use crate as pallet_pricing;
use daeg_primitives::{
	balancing::{Dispatch, GridControl, LinkFlow, OnCleared, ZoneMarket},
	consumption::{IntervalRecord, MeterKind, OnFinalInterval, Quality},
	pricing::ZoneClearing,
	Energy, EnergySource, FacilityId, IntervalIndex, MeterId, ZoneId,
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
		Grid: pallet_grid,
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
/// The market's account.
pub const MARKET: u64 = 999;
/// What genesis puts in the settlement pot.
pub const POT: u128 = 1_000_000;
/// Intervals in tests: a quarter-hour.
pub const INTERVAL_MS: u64 = 900_000;

ord_parameter_types! {
	pub const Operator: u64 = OPERATOR;
}

pub use daeg_test_doubles::{set_active, FinalValues, Ledger, Metered, Purchases, TestMeters};

/// Meters of 100 kW.
pub type Meters = daeg_test_doubles::Meters<100_000>;
/// Facilities of 100 kW.
pub type Facilities = daeg_test_doubles::Facilities<100_000>;

parameter_types! {
	/// Certifiers, who may release quarantined values of meters not their own.
	pub static Certifiers: Vec<u64> = vec![];
	/// Each zone's emergency state (others: open).
	pub static ZoneMarkets: Vec<(ZoneId, ZoneMarket)> = vec![];
	/// The dispatch the next cleared interval gets.
	pub static Dispatches: Vec<Dispatch<u64>> = vec![];
	/// What the balancing pallet was told of each cleared interval.
	pub static ClearedSeen: Vec<(IntervalIndex, Vec<(ZoneId, ZoneClearing)>, Vec<LinkFlow>)> = vec![];
	pub const MarketAccount: u64 = MARKET;
}

/// Root and the operator release quarantined values as the operators (`None`), a certifier
/// of [`Certifiers`] as itself.
pub struct Releasers;
impl frame_support::traits::EnsureOrigin<RuntimeOrigin> for Releasers {
	type Success = Option<u64>;
	fn try_origin(o: RuntimeOrigin) -> Result<Option<u64>, RuntimeOrigin> {
		match o.clone().into() {
			Ok(frame_system::RawOrigin::Root) => Ok(None),
			Ok(frame_system::RawOrigin::Signed(OPERATOR)) => Ok(None),
			Ok(frame_system::RawOrigin::Signed(who)) if Certifiers::get().contains(&who) => {
				Ok(Some(who))
			}
			_ => Err(o),
		}
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<RuntimeOrigin, ()> {
		Ok(RuntimeOrigin::root())
	}
}

pub use daeg_test_doubles::{add_facility as facility, add_meter as meter_of};

/// A consumption meter of `owner`'s in `zone`.
pub fn meter(owner: u64, zone: u16) -> MeterId {
	meter_of(owner, zone, MeterKind::Consumption)
}

/// The meter of facility `id`.
pub fn meter_of_facility(id: FacilityId) -> MeterId {
	daeg_test_doubles::meter_of_facility(id).expect("a test facility")
}

/// Makes `(imported, exported)` the final value of `meter` in `interval` (of `quality`) and
/// tells the pallet, as the consumption pallet's finalization pass does.
pub fn finalize(
	meter: MeterId,
	interval: IntervalIndex,
	imported: u64,
	exported: u64,
	quality: Quality,
) {
	let record = IntervalRecord {
		interval,
		imported: Energy(imported),
		exported: Energy(exported),
		quality,
		anomaly: None,
	};
	daeg_test_doubles::record_final(meter, record);
	<Pricing as OnFinalInterval>::on_final(meter, &record);
}

/// The balancing pallet as tests set it: each zone's emergency state, and the dispatch it
/// answers a cleared interval with (recording what it was told).
pub struct TestBalancing;
impl GridControl for TestBalancing {
	fn market(zone: ZoneId) -> ZoneMarket {
		ZoneMarkets::get().into_iter().find(|(z, _)| *z == zone).map(|(_, m)| m).unwrap_or_default()
	}
}
impl OnCleared<u64> for TestBalancing {
	fn on_cleared(
		interval: IntervalIndex,
		zones: &[(ZoneId, ZoneClearing)],
		links: &[LinkFlow],
		_: daeg_primitives::PricePerKWh,
	) -> Vec<Dispatch<u64>> {
		ClearedSeen::mutate(|c| c.push((interval, zones.to_vec(), links.to_vec())));
		Dispatches::take()
	}
	fn weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
	fn max_dispatches() -> u32 {
		4
	}
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

impl pallet_grid::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type OperatorOrigin =
		frame_support::traits::EitherOfDiverse<EnsureRoot<u64>, EnsureSignedBy<Operator, u64>>;
	type MaxZones = ConstU32<8>;
	type MaxLinks = ConstU32<4>;
	type WeightInfo = ();
}

impl pallet_pricing::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Meters = Meters;
	type Facilities = Facilities;
	type Balancing = TestBalancing;
	type Grid = Grid;
	type Metered = Metered;
	type Purchases = Ledger;
	type MarketAccount = MarketAccount;
	type OperatorOrigin =
		frame_support::traits::EitherOfDiverse<EnsureRoot<u64>, EnsureSignedBy<Operator, u64>>;
	type ReleaseOrigin = Releasers;
	type MaxOrdersPerInterval = ConstU32<600>;
	type MaxOrdersPerAccount = ConstU32<300>;
	type GateClosureIntervals = ConstU32<1>;
	type MaxIntervalsAhead = ConstU32<8>;
	type SettlementDeadline = ConstU32<12>;
	type PriceHistoryIntervals = ConstU32<96>;
	type StatementDays = ConstU32<3>;
	type MaxWeatherOracles = ConstU32<3>;
	#[cfg(feature = "runtime-benchmarks")]
	type Helper = Helper;
	type WeightInfo = ();
}

/// A chain with `interval_length_ms` intervals (0: the default); Alice, Bob and Carol hold
/// 10^9 each.
pub fn ext(interval_length_ms: u64) -> sp_io::TestExternalities {
	let t = RuntimeGenesisConfig {
		balances: pallet_balances::GenesisConfig {
			balances: vec![(ALICE, 1_000_000_000), (BOB, 1_000_000_000), (CAROL, 1_000_000_000)],
			..Default::default()
		},
		grid: pallet_grid::GenesisConfig { interval_length_ms, ..Default::default() },
		pricing: pallet_pricing::GenesisConfig { pot: POT, ..Default::default() },
		..Default::default()
	}
	.build_storage()
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		System::set_block_number(1);
		daeg_test_doubles::reset(0);
		Certifiers::set(vec![]);
		ZoneMarkets::set(vec![]);
		Dispatches::set(vec![]);
		ClearedSeen::set(vec![]);
	});
	ext
}

/// Runs `test` on a fresh chain of quarter-hours and checks the invariants afterwards.
pub fn run(test: impl FnOnce()) {
	ext(INTERVAL_MS).execute_with(|| {
		test();
		crate::Pallet::<Test>::do_try_state().expect("invariants hold");
		pallet_grid::Pallet::<Test>::do_try_state().expect("the grid's invariants hold");
	});
}
