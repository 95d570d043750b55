//! A test runtime: system, timestamp, balances, the market (`pallet-pricing`) and this pallet,
//! over meter and facility registries, priority classes and final values the tests fill. The
//! market is the real one, so that scenarios clear real auctions and settle real payments.

use crate as pallet_balancing;
use daeg_primitives::{
	consumption::EnergyTotals,
	consumption::{
		Anomaly, ConsumerPreferences, ConsumerProfiles, IntervalRecord, MeterInfo, MeterKind,
		MeterRegistry, MeterStatus, MeteredEnergy, OnFinalInterval, PriorityClass, PurchaseLedger,
		Quality,
	},
	production::{FacilityInfo, FacilityRegistry},
	DayIndex, Energy, EnergySource, FacilityId, IntervalIndex, MeterId, Power, ZoneId,
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
	/// Meters: (id, owner, zone, kind).
	pub static TestMeters: Vec<(MeterId, u64, ZoneId, MeterKind)> = vec![];
	/// Facilities: (id, owner, source, zone, meter).
	pub static TestFacilities: Vec<(FacilityId, u64, EnergySource, ZoneId, MeterId)> = vec![];
	/// Meters that are not active.
	pub static Inactive: Vec<MeterId> = vec![];
	/// Priority classes other than `Standard`.
	pub static Priorities: Vec<(u64, PriorityClass)> = vec![];
	/// Final values the consumption pallet would hold.
	pub static FinalValues: Vec<(MeterId, IntervalRecord)> = vec![];
	pub const MarketAccount: u64 = MARKET;
}

/// A meter registry over [`TestMeters`].
pub struct Meters;
impl MeterRegistry<u64> for Meters {
	fn meter(id: MeterId) -> Option<MeterInfo<u64>> {
		TestMeters::get().into_iter().find(|m| m.0 == id).map(|(_, owner, zone, kind)| MeterInfo {
			owner,
			kind,
			zone,
			max_power: Power(50_000),
			status: if Inactive::get().contains(&id) {
				MeterStatus::Suspended
			} else {
				MeterStatus::Active
			},
		})
	}
}

/// A facility registry over [`TestFacilities`]: every facility may sell.
pub struct Facilities;
impl FacilityRegistry<u64> for Facilities {
	fn facility(id: FacilityId) -> Option<FacilityInfo<u64>> {
		TestFacilities::get().into_iter().find(|f| f.0 == id).map(
			|(_, owner, source, zone, meter)| FacilityInfo {
				owner,
				source,
				capacity: Power(1_000_000),
				zone,
				meter,
			},
		)
	}
	fn may_sell(_: FacilityId, _: u64) -> bool {
		true
	}
}

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

/// Final values from a consumption pallet that tests fill.
pub struct Metered;
impl MeteredEnergy for Metered {
	fn final_energy(meter: MeterId, interval: IntervalIndex) -> Option<IntervalRecord> {
		FinalValues::get()
			.into_iter()
			.find(|(m, r)| *m == meter && r.interval == interval)
			.map(|(_, r)| r)
	}
	fn final_day(_: MeterId, _: DayIndex) -> Option<EnergyTotals> {
		None
	}
}

/// A purchase ledger that forgets.
pub struct Ledger;
impl PurchaseLedger<u64> for Ledger {
	fn note_purchase(_: &u64, _: IntervalIndex, _: EnergySource, _: Energy) {}
	fn note_purchase_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
}

type Operators =
	frame_support::traits::EitherOfDiverse<EnsureRoot<u64>, EnsureSignedBy<Operator, u64>>;

frame_support::parameter_types! {
	/// Root releases quarantined values as the operators do: no account of its own.
	pub const NoAccount: Option<u64> = None;
}

impl pallet_pricing::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Meters = Meters;
	type Facilities = Facilities;
	type Balancing = Balancing;
	type Metered = Metered;
	type Purchases = Ledger;
	type MarketAccount = MarketAccount;
	type OperatorOrigin = Operators;
	type ReleaseOrigin = frame_system::EnsureRootWithSuccess<u64, NoAccount>;
	type MaxOrdersPerInterval = ConstU32<512>;
	type MaxOrdersPerAccount = ConstU32<16>;
	type MaxLinks = ConstU32<4>;
	type GateClosureIntervals = ConstU32<1>;
	type MaxIntervalsAhead = ConstU32<8>;
	type SettlementDeadline = ConstU32<12>;
	type PriceHistoryIntervals = ConstU32<96>;
	type StatementDays = ConstU32<3>;
	type MaxZones = ConstU32<4>;
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
	type Clock = Pricing;
	type Fund = Pricing;
	type OperatorOrigin = Operators;
	type MaxZones = ConstU32<4>;
	type MaxUnitsPerZone = ConstU32<4>;
	type MaxParticipants = ConstU32<8>;
	type BaselineIntervals = ConstU32<4>;
	type HistoryIntervals = ConstU32<96>;
	type MaxEventIntervals = ConstU32<8>;
	#[cfg(feature = "runtime-benchmarks")]
	type Helper = Helper;
	type WeightInfo = ();
}

/// A meter of `kind` of `owner`'s in `zone`.
pub fn meter(owner: u64, zone: u16, kind: MeterKind) -> MeterId {
	let id = MeterId(TestMeters::get().len() as u64 + 1);
	TestMeters::mutate(|m| m.push((id, owner, ZoneId(zone), kind)));
	id
}

/// A facility of `owner`'s of `source` in `zone`, with its own production meter.
pub fn facility(owner: u64, source: EnergySource, zone: u16) -> FacilityId {
	let m = meter(owner, zone, MeterKind::Production);
	let id = FacilityId(TestFacilities::get().len() as u32 + 1);
	TestFacilities::mutate(|f| f.push((id, owner, source, ZoneId(zone), m)));
	id
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
	FinalValues::mutate(|v| v.push((meter, record)));
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
		pricing: pallet_pricing::GenesisConfig {
			interval_length_ms: INTERVAL_MS,
			pot: POT,
			..Default::default()
		},
		..Default::default()
	}
	.build_storage()
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		System::set_block_number(1);
		TestMeters::set(vec![]);
		TestFacilities::set(vec![]);
		Priorities::set(vec![]);
		Inactive::set(vec![]);
		FinalValues::set(vec![]);
	});
	ext
}

/// Runs `test` on a fresh chain and checks both pallets' invariants afterwards.
pub fn run(test: impl FnOnce()) {
	ext().execute_with(|| {
		test();
		pallet_pricing::Pallet::<Test>::do_try_state().expect("the market's invariants hold");
		crate::Pallet::<Test>::do_try_state().expect("balancing's invariants hold");
	});
}
