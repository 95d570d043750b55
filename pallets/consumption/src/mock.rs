//! A test runtime: system, balances and this pallet.

use crate as pallet_consumption;
use daeg_primitives::consumption::{MeterPublic, MeterSignature, Reading};
use frame_support::{derive_impl, ord_parameter_types, parameter_types, traits::ConstU32};
use frame_system::{EnsureRoot, EnsureSignedBy};
use sp_core::{sr25519, Pair};
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

/// The grid operators' account in tests.
pub const OPERATOR: u64 = 100;
/// A certifier: activates and suspends meters, never its own.
pub const CERTIFIER: u64 = 50;
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
/// Intervals are a quarter-hour in tests.
pub const INTERVAL_MS: u64 = 900_000;

pub use daeg_test_doubles::NowMs;

parameter_types! {
	pub const MeterDeposit: u128 = DEPOSIT;
}

parameter_types! {
	/// What the finalization pass told [`RecordFinal`]: meter, interval, exported Wh.
	pub static Finalized: Vec<(daeg_primitives::MeterId, u32, u64)> = vec![];
	/// What readings after a silence trued up: meter, the reading's interval, the correction.
	pub static Corrections: Vec<(daeg_primitives::MeterId, u32, daeg_primitives::consumption::Correction)> = vec![];
}

/// Records the final values the pass reports.
pub struct RecordFinal;
impl daeg_primitives::consumption::OnFinalInterval for RecordFinal {
	fn on_final(
		meter: daeg_primitives::MeterId,
		r: &daeg_primitives::consumption::IntervalRecord,
	) -> frame_support::weights::Weight {
		Finalized::mutate(|v| v.push((meter, r.interval.0, r.exported.0)));
		Self::weight()
	}
	fn on_correction(
		meter: daeg_primitives::MeterId,
		at: daeg_primitives::IntervalIndex,
		correction: &daeg_primitives::consumption::Correction,
	) -> frame_support::weights::Weight {
		Corrections::mutate(|v| v.push((meter, at.0, *correction)));
		Self::weight()
	}
	fn weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::from_parts(1_000, 0)
	}
}

parameter_types! {
	/// What [`TestDispatch`] reports: meter, interval, (imported, exported) Wh.
	pub static Dispatch: Vec<(daeg_primitives::MeterId, u32, (u64, u64))> = vec![];
}

/// A schedule that tests set.
pub struct TestDispatch;
impl daeg_primitives::consumption::DispatchedEnergy for TestDispatch {
	fn dispatched(
		meter: daeg_primitives::MeterId,
		interval: daeg_primitives::IntervalIndex,
	) -> Option<(daeg_primitives::Energy, daeg_primitives::Energy)> {
		Dispatch::get().into_iter().find(|(m, i, _)| *m == meter && *i == interval.0).map(
			|(.., (imported, exported))| {
				(daeg_primitives::Energy(imported), daeg_primitives::Energy(exported))
			},
		)
	}
	fn weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::from_parts(1_000, 0)
	}
}

parameter_types! {
	/// Accounts the market says owe it arrears.
	pub static InArrears: Vec<u64> = vec![];
	/// Meters the market says have positions to settle.
	pub static WithPositions: Vec<daeg_primitives::MeterId> = vec![];
}

/// A market standing that tests set.
pub struct TestMarket;
impl daeg_primitives::pricing::MarketStanding<u64> for TestMarket {
	fn in_arrears(who: &u64) -> bool {
		InArrears::get().contains(who)
	}
	fn has_positions(meter: daeg_primitives::MeterId) -> bool {
		WithPositions::get().contains(&meter)
	}
	fn weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::from_parts(1_000, 0)
	}
}

/// Root and the operator activate as the operators (`None`), [`CERTIFIER`] as itself.
pub struct Activators;
impl frame_support::traits::EnsureOrigin<RuntimeOrigin> for Activators {
	type Success = Option<u64>;
	fn try_origin(o: RuntimeOrigin) -> Result<Option<u64>, RuntimeOrigin> {
		match o.clone().into() {
			Ok(frame_system::RawOrigin::Root) => Ok(None),
			Ok(frame_system::RawOrigin::Signed(OPERATOR)) => Ok(None),
			Ok(frame_system::RawOrigin::Signed(CERTIFIER)) => Ok(Some(CERTIFIER)),
			_ => Err(o),
		}
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<RuntimeOrigin, ()> {
		Ok(RuntimeOrigin::root())
	}
}

/// The lateness window: two hours of quarter-hours.
pub const LATENESS: u32 = 8;
/// Intervals kept per meter: a day and the lateness window.
pub const HISTORY: u32 = 104;
/// Days of totals and purchases kept.
pub const DAYS_KEPT: u32 = 7;
/// Intervals without a reading that suspend a meter: a day and a bit.
pub const SILENCE: u32 = 100;
/// Strikes that suspend a meter.
pub const STRIKES: u8 = 3;

impl pallet_consumption::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type MeterDeposit = MeterDeposit;
	type MaxMetersPerOwner = ConstU32<3>;
	type Grid = daeg_test_doubles::TestGrid<4, INTERVAL_MS>;
	type ActivateOrigin = Activators;
	type LatenessWindow = frame_support::traits::ConstU64<{ LATENESS as u64 * INTERVAL_MS }>;
	type HistoryMs = frame_support::traits::ConstU64<{ HISTORY as u64 * INTERVAL_MS }>;
	type MaxSilence = frame_support::traits::ConstU64<{ SILENCE as u64 * INTERVAL_MS }>;
	type MaxAnomalyStrikes = frame_support::traits::ConstU8<STRIKES>;
	type JumpFactor = ConstU32<10>;
	type ReadingPriority = frame_support::traits::ConstU64<1_000>;
	type ReadingLongevity = frame_support::traits::ConstU64<64>;
	type MaxReadingsPerBatch = ConstU32<4>;
	type HistoryDays = ConstU32<DAYS_KEPT>;
	type HistoryMonths = ConstU32<3>;
	type OperatorOrigin =
		frame_support::traits::EitherOfDiverse<EnsureRoot<u64>, EnsureSignedBy<Operator, u64>>;
	type OnFinal = RecordFinal;
	type Dispatched = TestDispatch;
	type Market = TestMarket;
	type WeightInfo = ();
}

/// What offchain workers submit in tests: a general transaction with no extensions.
pub type Extrinsic = sp_runtime::generic::UncheckedExtrinsic<u64, RuntimeCall, (), ()>;

impl<C> frame_system::offchain::CreateTransactionBase<C> for Test
where
	RuntimeCall: From<C>,
{
	type Extrinsic = Extrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<C> frame_system::offchain::CreateTransaction<C> for Test
where
	RuntimeCall: From<C>,
{
	type Extension = ();
	fn create_transaction(call: RuntimeCall, extension: ()) -> Extrinsic {
		Extrinsic::new_transaction(call, extension)
	}
}

impl<C> frame_system::offchain::CreateAuthorizedTransaction<C> for Test
where
	RuntimeCall: From<C>,
{
	fn create_extension() {}
}

/// The device key pair of key number `n`.
pub fn device(n: u8) -> sr25519::Pair {
	sr25519::Pair::from_seed(&[n; 32])
}

/// A distinct device key per `n`.
pub fn key(n: u8) -> MeterPublic {
	MeterPublic::from(device(n).public())
}

/// Device key `n`'s signature of `reading` on the test chain.
pub fn sign(n: u8, reading: &Reading) -> MeterSignature {
	let genesis = System::block_hash(0);
	MeterSignature::from(device(n).sign(&reading.signing_payload(genesis.as_ref())))
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
	// Benchmarks generate and sign with device keys through the keystore.
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext.execute_with(|| {
		System::set_block_number(1);
		daeg_test_doubles::reset(0);
		Finalized::set(vec![]);
		InArrears::set(vec![]);
		WithPositions::set(vec![]);
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
