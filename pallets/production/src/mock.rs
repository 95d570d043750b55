//! A test runtime: system, balances, this pallet, and a meter registry the tests fill.

use crate as pallet_production;
use daeg_primitives::{
	consumption::EnergyTotals,
	consumption::{
		CarbonIntensities, IntervalRecord, MeterInfo, MeterKind, MeterRegistry, MeteredEnergy,
	},
	CarbonIntensity, DayIndex, Energy, EnergySource, IntervalIndex, MeterId, ZoneId,
};
use frame_support::{derive_impl, ord_parameter_types, parameter_types, traits::ConstU32};
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

/// The grid operators' account in tests.
pub const OPERATOR: u64 = 100;
/// Producers.
pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
/// An account with no funds.
pub const PAUPER: u64 = 3;
/// A certifier once appointed.
pub const CERTIFIER: u64 = 7;
/// A consumer that claims certificates.
pub const CAROL: u64 = 4;
/// The incentives account.
pub const INCENTIVES: u64 = 50;
/// Maintenance must be declared a day ahead.
pub const NOTICE_MS: u64 = 86_400_000;
/// Maintenance windows last at most a week.
pub const MAX_MAINTENANCE_MS: u64 = 7 * 86_400_000;
/// The longest certification term in tests: a year.
pub const CERTIFICATION_TERM_MS: u64 = 365 * 86_400_000;
/// The carbon intensity of wind energy in tests.
pub const WIND_INTENSITY: CarbonIntensity = CarbonIntensity(11);
/// Days of production kept.
pub const DAYS_KEPT: u32 = 7;
/// The facility deposit.
pub const DEPOSIT: u128 = 40;

ord_parameter_types! {
	pub const Operator: u64 = OPERATOR;
}

pub use daeg_test_doubles::{set_final_day, NowMs};

parameter_types! {
	/// The incentives account.
	pub const Incentives: u64 = INCENTIVES;
}

/// The consumption pallet as tests fill it: meters of 1 MW, final days, and wind's carbon
/// intensity.
pub struct Meters;
impl MeterRegistry<u64> for Meters {
	fn meter(id: MeterId) -> Option<MeterInfo<u64>> {
		daeg_test_doubles::Meters::<1_000_000>::meter(id)
	}
}

impl MeteredEnergy for Meters {
	fn final_energy(meter: MeterId, interval: IntervalIndex) -> Option<IntervalRecord> {
		daeg_test_doubles::Metered::final_energy(meter, interval)
	}
	fn final_day(meter: MeterId, day: DayIndex) -> Option<EnergyTotals> {
		daeg_test_doubles::Metered::final_day(meter, day)
	}
}

impl CarbonIntensities for Meters {
	fn intensity_of(source: EnergySource) -> CarbonIntensity {
		match source {
			EnergySource::Wind => WIND_INTENSITY,
			_ => CarbonIntensity(0),
		}
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl daeg_primitives::consumption::MeterBenchmarkHelper<u64> for Meters {
	fn active_meter(owner: &u64, kind: MeterKind, zone: ZoneId) -> MeterId {
		daeg_test_doubles::add_meter(*owner, zone.0, kind)
	}
	fn set_final_day(meter: MeterId, day: DayIndex, imported: Energy) {
		set_final_day(meter, day, imported)
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
	type Grid = daeg_test_doubles::TestGrid<4, 900_000>;
	type OperatorOrigin =
		frame_support::traits::EitherOfDiverse<EnsureRoot<u64>, EnsureSignedBy<Operator, u64>>;
	type HistoryDays = ConstU32<DAYS_KEPT>;
	type IncentivesAccount = Incentives;
	type MaxMaintenanceWindows = ConstU32<3>;
	type MaintenanceNotice = frame_support::traits::ConstU64<NOTICE_MS>;
	type MaxMaintenanceLength = frame_support::traits::ConstU64<MAX_MAINTENANCE_MS>;
	type MaxCertificationTerm = frame_support::traits::ConstU64<CERTIFICATION_TERM_MS>;
	type WeightInfo = ();
}

/// Alice, Bob, Carol and the incentives account hold 1,000 each; the pauper holds nothing.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![
			(ALICE, 1_000),
			(BOB, 1_000),
			(CAROL, 1_000),
			(OPERATOR, 1_000),
			(CERTIFIER, 1_000),
			(INCENTIVES, 1_000),
		],
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		System::set_block_number(1);
		daeg_test_doubles::reset(1_000);
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
