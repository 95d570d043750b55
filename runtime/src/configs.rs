//! Configuration of every pallet in the runtime.

use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, Get, VariantCountOf},
	weights::{
		constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		IdentityFee, Weight,
	},
};
use frame_system::limits::{BlockLength, BlockWeights};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::{
	traits::{AccountIdConversion, One},
	transaction_validity::{TransactionLongevity, TransactionPriority},
	Perbill,
};
use sp_version::RuntimeVersion;

// `derive_impl` injects the runtime's aggregated types by name, so they must be in scope.
use super::{
	AccountId, Aura, Balance, Balances, Block, BlockNumber, Hash, Nonce, OriginCaller, PalletInfo,
	Runtime, RuntimeCall, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, RuntimeOrigin,
	RuntimeTask, System, TxExtension, UncheckedExtrinsic, EXISTENTIAL_DEPOSIT, MICRO_UNIT,
	MILLI_SECS_PER_BLOCK, MILLI_UNIT, SLOT_DURATION, SS58_PREFIX, VERSION,
};
use crate::{Consumption, Grid, Pricing};

/// Share of a block's weight that normal (user) extrinsics may use; the rest is kept for
/// operational extrinsics and the per-block hooks.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);
/// Largest block, in bytes.
const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;

parameter_types! {
	/// Number of recent block hashes kept for mortal transactions.
	pub const BlockHashCount: BlockNumber = super::BLOCK_HASH_COUNT;
	/// The runtime version.
	pub const Version: RuntimeVersion = VERSION;

	/// Two seconds of compute per six-second block; no proof-size limit (a solochain's blocks
	/// carry no proof of validity).
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
		Weight::from_parts(2u64 * WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	/// 5 MiB blocks, 75 % of them for normal extrinsics.
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(MAX_BLOCK_LENGTH)
		.modify_max_length_for_class(DispatchClass::Normal, |max| {
			*max = NORMAL_DISPATCH_RATIO * MAX_BLOCK_LENGTH
		})
		.build();
	/// The address prefix.
	pub const SS58Prefix: u16 = SS58_PREFIX;
}

/// System: accounts, blocks and events.
#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	// The node stores state in ParityDB (see docs/architecture.md).
	type DbWeight = ParityDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

/// Aura: round-robin block authoring by the validator set.
impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<32>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

/// GRANDPA: finality. No equivocation reporting yet (needs a session/offences setup).
impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<32>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

/// Timestamp: set by the block author as an inherent; Aura's slot is twice the minimum period.
impl pallet_timestamp::Config for Runtime {
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

/// Balances: the native DAEG token, with holds for deposits and escrowed bids.
impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ();
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

parameter_types! {
	/// Fees stay constant: an energy market needs predictable transaction costs.
	pub FeeMultiplier: Multiplier = Multiplier::one();
}

/// Transaction payment: weight-based fees in DAEG, burnt (no treasury yet).
impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = IdentityFee<Balance>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

/// Sudo: kept only as the dispatcher of Root calls. Its key is the grid operators' multisig
/// account, never a single person's key (see [`crate::governance`]).
impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Deposit for a multisig operation: base plus a factor per signatory, so that pending
	/// operations pay for their storage.
	pub const DepositBase: Balance = deposit(1, 88);
	/// Additional deposit per signatory.
	pub const DepositFactor: Balance = deposit(0, 32);
}

/// Multisig: M-of-N accounts, the grid operators' governance account among them.
impl pallet_multisig::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type Currency = Balances;
	type DepositBase = DepositBase;
	type DepositFactor = DepositFactor;
	type MaxSignatories = ConstU32<100>;
	type WeightInfo = pallet_multisig::weights::SubstrateWeight<Runtime>;
	type BlockNumberProvider = System;
}

/// Utility: batches, so that one multisig approval can carry several calls.
impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = pallet_utility::weights::SubstrateWeight<Runtime>;
}

/// The deposit for `items` storage items holding `bytes` bytes in all.
pub const fn deposit(items: u32, bytes: u32) -> Balance {
	(items as Balance) * 20 * MILLI_UNIT + (bytes as Balance) * 100 * MICRO_UNIT
}

/// The grid's zones: ids below this.
pub const ZONES: u16 = 8;

/// The market's name in this runtime, for migrations that move its storage.
pub struct MarketName;
impl Get<&'static str> for MarketName {
	fn get() -> &'static str {
		<Pricing as frame_support::traits::PalletInfoAccess>::name()
	}
}

/// Balancing's name in this runtime, for migrations that move its storage.
pub struct BalancingName;
impl Get<&'static str> for BalancingName {
	fn get() -> &'static str {
		<crate::Balancing as frame_support::traits::PalletInfoAccess>::name()
	}
}

/// The grid: its zones, their limits, the links between them and the market-interval clock,
/// which every energy pallet reads (`Config::Grid`).
impl pallet_grid::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OperatorOrigin = crate::governance::GridOperatorOrigin;
	type MaxZones = ConstU32<{ ZONES as u32 }>;
	type MaxLinks = ConstU32<16>;
	type WeightInfo = pallet_grid::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Deposit for a meter: one registry entry of about 130 bytes, its owner-list slot and its
	/// device-key index.
	pub const MeterDeposit: Balance = deposit(2, 180);
}

parameter_types! {
	/// Each meter keeps a day of intervals beyond the lateness window (analytics, profiles).
	pub const MeterHistoryMs: u64 = 25 * HOUR_MS;
	/// Readings rank above ordinary transactions: settlement depends on them.
	pub const ReadingPriority: TransactionPriority = TransactionPriority::MAX / 2;
	/// A day without a reading suspends a meter (its intervals are substituted until then).
	pub const MaxSilence: u64 = 24 * HOUR_MS;
	/// A reading may wait in the pool as long as its interval can still accept it.
	pub const ReadingLongevity: TransactionLongevity = HOUR_MS / MILLI_SECS_PER_BLOCK;
}

use daeg_primitives::HOUR_MS;

/// How long after its interval a reading is accepted; then the interval is final: an hour, or
/// six intervals where intervals are short (three minutes on the dev chain's 30-second
/// intervals), so that values there become final, and analytics fill, within minutes.
pub struct ReadingLateness;
impl Get<u64> for ReadingLateness {
	fn get() -> u64 {
		use daeg_primitives::GridClock;
		HOUR_MS.min(Grid::interval_length_ms().saturating_mul(6))
	}
}

/// Metering: the meter registry and device-signed readings.
impl pallet_consumption::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type MeterDeposit = MeterDeposit;
	type MaxMetersPerOwner = ConstU32<100>;
	type Grid = Grid;
	// Certifiers (appointed by the grid operators in the production pallet) or the operators.
	// Certifiers come first: they activate most meters, and so the benchmarks measure their
	// path (one read).
	type ActivateOrigin = crate::governance::CertifierOrOperators;
	type LatenessWindow = ReadingLateness;
	type HistoryMs = MeterHistoryMs;
	type MaxSilence = MaxSilence;
	type MaxAnomalyStrikes = ConstU8<3>;
	type JumpFactor = ConstU32<10>;
	type ReadingPriority = ReadingPriority;
	type ReadingLongevity = ReadingLongevity;
	type MaxReadingsPerBatch = ConstU32<500>;
	// Two months of days and two years of months: a bill's period and its year-on-year.
	type HistoryDays = ConstU32<62>;
	type HistoryMonths = ConstU32<24>;
	type OperatorOrigin = crate::governance::GridOperatorOrigin;
	// Final meter values become facilities' production, are settled by the market, then
	// balancing follows storage, demand response and each zone's metered position.
	type OnFinal = ((crate::Production, Pricing), crate::Balancing);
	type Dispatched = crate::Balancing;
	type Market = Pricing;
	type WeightInfo = pallet_consumption::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Deposit for a facility: one registry entry of about 230 bytes, its producer-list slot,
	/// its meter index, its operation record and its maintenance plan.
	pub const FacilityDeposit: Balance = deposit(4, 450);
	/// The incentives account: feed-in premiums are paid from it (governance funds it).
	pub IncentivesAccount: AccountId = INCENTIVES_PALLET_ID.into_account_truncating();
	/// Maintenance is declared a day ahead, as day-ahead markets need.
	pub const MaintenanceNotice: u64 = 24 * HOUR_MS;
	/// A maintenance window lasts at most four weeks.
	pub const MaxMaintenanceLength: u64 = 28 * 24 * HOUR_MS;
	/// Five years (with their leap days): a facility is audited again at least this often.
	pub const MaxCertificationTerm: u64 = (5 * 365 + 2) * 24 * HOUR_MS;
}

/// The id the incentives account is derived from.
pub const INCENTIVES_PALLET_ID: frame_support::PalletId = frame_support::PalletId(*b"daeg/inc");

/// Production: facilities and their certification.
impl pallet_production::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type FacilityDeposit = FacilityDeposit;
	type MaxFacilitiesPerProducer = ConstU32<100>;
	type MaxCertifiers = ConstU32<32>;
	type Meters = Consumption;
	#[cfg(feature = "runtime-benchmarks")]
	type MeterHelper = Consumption;
	type Grid = Grid;
	type OperatorOrigin = crate::governance::GridOperatorOrigin;
	// Two months of production days; certificates live as long (claims need the consumption
	// days the consumption pallet keeps, also 62).
	type HistoryDays = ConstU32<62>;
	type IncentivesAccount = IncentivesAccount;
	type MaxMaintenanceWindows = ConstU32<16>;
	type MaintenanceNotice = MaintenanceNotice;
	type MaxMaintenanceLength = MaxMaintenanceLength;
	type MaxCertificationTerm = MaxCertificationTerm;
	type WeightInfo = pallet_production::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// The market's account: settlement collects into its pot and pays from it.
	pub MarketAccount: AccountId = MARKET_PALLET_ID.into_account_truncating();
	/// Cleared prices and volumes are kept for two days of quarter-hours.
	pub const PriceHistoryIntervals: u32 = 192;
}

/// The id the market account is derived from.
pub const MARKET_PALLET_ID: frame_support::PalletId = frame_support::PalletId(*b"daeg/mkt");

/// Positions whose meter never got a final value are settled from what is known a day of
/// intervals after the lateness window closed (96 intervals: a day of quarter-hours, 48
/// minutes on dev chains).
pub struct SettlementDeadline;
impl Get<u32> for SettlementDeadline {
	fn get() -> u32 {
		use daeg_primitives::GridClock;
		Grid::intervals_in(ReadingLateness::get()).saturating_add(96)
	}
}

/// The market: orders, the auction, tariffs and settlement.
impl pallet_pricing::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Grid = Grid;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Meters = Consumption;
	type Facilities = crate::Production;
	type Balancing = crate::Balancing;
	type Metered = Consumption;
	type Purchases = Consumption;
	type MarketAccount = MarketAccount;
	type OperatorOrigin = crate::governance::GridOperatorOrigin;
	type ReleaseOrigin = crate::governance::CertifierOrOperators;
	// 320 pages of 32: the aim of 10,000 orders cleared per interval, with room.
	type MaxOrdersPerInterval = ConstU32<10_240>;
	type MaxOrdersPerAccount = ConstU32<32>;
	// Books close one interval ahead: 15 minutes before delivery (30 s on dev chains).
	type GateClosureIntervals = ConstU32<1>;
	// Two days of quarter-hours ahead (96 minutes on dev chains).
	type MaxIntervalsAhead = ConstU32<192>;
	type SettlementDeadline = SettlementDeadline;
	type PriceHistoryIntervals = PriceHistoryIntervals;
	// Two months of daily statements, as the consumption pallet keeps days.
	type StatementDays = ConstU32<62>;
	// Enough for a median that outvotes two bad oracles.
	type MaxWeatherOracles = ConstU32<5>;
	#[cfg(feature = "runtime-benchmarks")]
	type Helper = MarketBenchmarkHelper;
	type WeightInfo = pallet_pricing::weights::SubstrateWeight<Runtime>;
}

/// Meters and facilities for the market's benchmarks: real ones, registered through the
/// metering and production pallets.
#[cfg(feature = "runtime-benchmarks")]
pub struct MarketBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_pricing::BenchmarkHelper<AccountId> for MarketBenchmarkHelper {
	fn meter(owner: &AccountId, zone: daeg_primitives::ZoneId) -> daeg_primitives::MeterId {
		use daeg_primitives::consumption::{MeterBenchmarkHelper, MeterKind};
		Consumption::active_meter(owner, MeterKind::Consumption, zone)
	}

	fn selling_facility(
		owner: &AccountId,
		zone: daeg_primitives::ZoneId,
	) -> daeg_primitives::FacilityId {
		use daeg_primitives::{
			consumption::{MeterBenchmarkHelper, MeterKind},
			production::{Certification, Location},
			DayIndex, EnergySource, Power,
		};
		use frame_support::traits::fungible::Mutate;
		let meter = Consumption::active_meter(owner, MeterKind::Production, zone);
		let id = pallet_production::NextFacilityId::<Runtime>::get();
		let _ = Balances::mint_into(owner, FacilityDeposit::get().saturating_mul(2));
		let spec = pallet_production::FacilitySpec {
			source: EnergySource::Wind,
			capacity: Power(2_000_000),
			zone,
			location: Location::default(),
			commissioned: DayIndex(20_000),
			meter,
		};
		let _ = crate::Production::register_facility(RuntimeOrigin::signed(owner.clone()), spec);
		pallet_production::Facilities::<Runtime>::mutate(id, |f| {
			if let Some(f) = f {
				f.certification =
					Certification::Certified { by: owner.clone(), until_ms: u64::MAX };
			}
		});
		id
	}
}

/// Balancing: storage dispatch, demand response, emergencies and circuit breakers.
impl pallet_balancing::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Meters = Consumption;
	type Consumers = Consumption;
	type Grid = Grid;
	type Fund = Pricing;
	type OperatorOrigin = crate::governance::GridOperatorOrigin;
	type MaxUnitsPerZone = ConstU32<16>;
	type MaxParticipants = ConstU32<64>;
	// Two hours of quarter-hours (four minutes on dev chains) before an event.
	type BaselineIntervals = ConstU32<8>;
	// As long as the market keeps results: well beyond a meter's lateness window.
	type HistoryIntervals = PriceHistoryIntervals;
	type MaxEventIntervals = ConstU32<16>;
	#[cfg(feature = "runtime-benchmarks")]
	type Helper = MarketBenchmarkHelper;
	type WeightInfo = pallet_balancing::weights::SubstrateWeight<Runtime>;
}

#[cfg(feature = "runtime-benchmarks")]
impl pallet_balancing::BenchmarkHelper<AccountId> for MarketBenchmarkHelper {
	fn meter(
		owner: &AccountId,
		kind: daeg_primitives::consumption::MeterKind,
		zone: daeg_primitives::ZoneId,
	) -> daeg_primitives::MeterId {
		use daeg_primitives::consumption::MeterBenchmarkHelper;
		Consumption::active_meter(owner, kind, zone)
	}
}

impl<C> frame_system::offchain::CreateTransactionBase<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extrinsic = UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<C> frame_system::offchain::CreateTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extension = TxExtension;

	fn create_transaction(call: RuntimeCall, extension: TxExtension) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_transaction(call, extension)
	}
}

/// Offchain workers submit authorized calls (meter readings) as general transactions: no
/// signer, immortal, no tip, so the extensions that concern a signer have nothing to check.
impl<C> frame_system::offchain::CreateAuthorizedTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	fn create_extension() -> TxExtension {
		(
			frame_system::AuthorizeCall::new(),
			frame_system::CheckNonZeroSender::new(),
			frame_system::CheckSpecVersion::new(),
			frame_system::CheckTxVersion::new(),
			frame_system::CheckGenesis::new(),
			frame_system::CheckEra::from(sp_runtime::generic::Era::Immortal),
			frame_system::CheckNonce::from(0),
			frame_system::CheckWeight::new(),
			pallet_transaction_payment::ChargeTransactionPayment::from(0),
			frame_metadata_hash_extension::CheckMetadataHash::new(false),
			crate::governance::OperatorsFirst,
			frame_system::WeightReclaim::new(),
		)
	}
}
