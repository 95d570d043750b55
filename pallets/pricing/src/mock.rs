//! A test runtime: system, balances, timestamp, this pallet, and meter and facility registries,
//! final metered values and a purchase ledger the tests fill and read.

use crate as pallet_pricing;
use daeg_primitives::{
	balancing::{Dispatch, GridControl, LinkFlow, OnCleared, ZoneMarket},
	consumption::EnergyTotals,
	consumption::{
		IntervalRecord, MeterInfo, MeterKind, MeterRegistry, MeterStatus, MeteredEnergy,
		OnFinalInterval, PurchaseLedger, Quality,
	},
	pricing::ZoneClearing,
	production::{FacilityInfo, FacilityRegistry},
	DayIndex, Energy, EnergySource, FacilityId, IntervalIndex, MeterId, Power, ZoneId,
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
/// The market's account.
pub const MARKET: u64 = 999;
/// What genesis puts in the settlement pot.
pub const POT: u128 = 1_000_000;
/// Intervals in tests: a quarter-hour.
pub const INTERVAL_MS: u64 = 900_000;

ord_parameter_types! {
	pub const Operator: u64 = OPERATOR;
}

parameter_types! {
	/// Meters: id → (owner, zone, active, kind).
	pub static TestMeters: Vec<(MeterId, u64, ZoneId, bool, MeterKind)> = vec![];
	/// Facilities: id → (owner, source, zone, may sell, meter).
	pub static TestFacilities: Vec<(FacilityId, u64, EnergySource, ZoneId, bool, MeterId)> = vec![];
	/// Final values the consumption pallet would hold.
	pub static FinalValues: Vec<(MeterId, IntervalRecord)> = vec![];
	/// Certifiers, who may release quarantined values of meters not their own.
	pub static Certifiers: Vec<u64> = vec![];
	/// Purchases reported: (buyer, interval, source, energy).
	pub static Purchases: Vec<(u64, IntervalIndex, EnergySource, Energy)> = vec![];
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

/// A meter registry over [`TestMeters`].
pub struct Meters;
impl MeterRegistry<u64> for Meters {
	fn meter(id: MeterId) -> Option<MeterInfo<u64>> {
		TestMeters::get().into_iter().find(|m| m.0 == id).map(|(_, owner, zone, active, kind)| {
			MeterInfo {
				owner,
				kind,
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
		TestFacilities::get().into_iter().find(|f| f.0 == id).map(
			|(_, owner, source, zone, _, meter)| FacilityInfo {
				owner,
				source,
				capacity: Power(100_000),
				zone,
				meter,
			},
		)
	}
	fn may_sell(id: FacilityId, _at_ms: u64) -> bool {
		TestFacilities::get().into_iter().any(|f| f.0 == id && f.4)
	}
}

/// A meter of `kind` of `owner`'s in `zone`.
pub fn meter_of(owner: u64, zone: u16, kind: MeterKind) -> MeterId {
	let id = MeterId(TestMeters::get().len() as u64 + 1);
	TestMeters::mutate(|m| m.push((id, owner, ZoneId(zone), true, kind)));
	id
}

/// A consumption meter of `owner`'s in `zone`.
pub fn meter(owner: u64, zone: u16) -> MeterId {
	meter_of(owner, zone, MeterKind::Consumption)
}

/// A facility of `owner`'s of `source` in `zone` that may sell (or not), with its own
/// production meter.
pub fn facility(owner: u64, source: EnergySource, zone: u16, may_sell: bool) -> FacilityId {
	let m = meter_of(owner, zone, MeterKind::Production);
	let id = FacilityId(TestFacilities::get().len() as u32 + 1);
	TestFacilities::mutate(|f| f.push((id, owner, source, ZoneId(zone), may_sell, m)));
	id
}

/// The meter of facility `id`.
pub fn meter_of_facility(id: FacilityId) -> MeterId {
	TestFacilities::get().into_iter().find(|f| f.0 == id).map(|f| f.5).unwrap()
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
	FinalValues::mutate(|v| v.push((meter, record)));
	<Pricing as OnFinalInterval>::on_final(meter, &record);
}

/// The balancing pallet as tests set it: each zone's emergency state, and the dispatch it
/// answers a cleared interval with (recording what it was told).
pub struct Grid;
impl GridControl for Grid {
	fn market(zone: ZoneId) -> ZoneMarket {
		ZoneMarkets::get().into_iter().find(|(z, _)| *z == zone).map(|(_, m)| m).unwrap_or_default()
	}
}
impl OnCleared<u64> for Grid {
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

/// A purchase ledger that records what it is told.
pub struct Ledger;
impl PurchaseLedger<u64> for Ledger {
	fn note_purchase(buyer: &u64, interval: IntervalIndex, source: EnergySource, energy: Energy) {
		Purchases::mutate(|p| p.push((*buyer, interval, source, energy)));
	}
	fn note_purchase_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
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

impl pallet_pricing::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Meters = Meters;
	type Facilities = Facilities;
	type Balancing = Grid;
	type Metered = Metered;
	type Purchases = Ledger;
	type MarketAccount = MarketAccount;
	type OperatorOrigin =
		frame_support::traits::EitherOfDiverse<EnsureRoot<u64>, EnsureSignedBy<Operator, u64>>;
	type ReleaseOrigin = Releasers;
	type MaxOrdersPerInterval = ConstU32<600>;
	type MaxOrdersPerAccount = ConstU32<300>;
	type MaxLinks = ConstU32<4>;
	type GateClosureIntervals = ConstU32<1>;
	type MaxIntervalsAhead = ConstU32<8>;
	type SettlementDeadline = ConstU32<12>;
	type PriceHistoryIntervals = ConstU32<96>;
	type StatementDays = ConstU32<3>;
	type MaxZones = ConstU32<8>;
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
		pricing: pallet_pricing::GenesisConfig {
			interval_length_ms,
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
		FinalValues::set(vec![]);
		Purchases::set(vec![]);
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
	});
}
