//! What the runtime's scenario tests share: the `development` preset's genesis, blocks driven
//! through every pallet's hooks on grid time, and meters whose device keys the test holds.

#![allow(dead_code)] // Each test file uses its own part.

use daeg_primitives::{
	consumption::{MeterKind, MeterPublic, MeterSignature, Reading},
	Energy, IntervalIndex, MeterId, Power, ZoneId,
};
use daeg_runtime::{
	AllPalletsWithSystem, Consumption, Runtime, RuntimeCall, RuntimeGenesisConfig, RuntimeOrigin,
	System,
};
use frame_support::{
	genesis_builder_helper::build_state,
	pallet_prelude::{Authorize, TransactionSource, TransactionValidityError},
	traits::{OnIdle, OnInitialize, UnfilteredDispatchable},
};
use sc_chain_spec::json_merge;
use sp_core::{sr25519, Pair};
use sp_genesis_builder::DEV_RUNTIME_PRESET;
use sp_runtime::DispatchError;

/// Test externalities holding the `development` preset's genesis state, at block 1.
pub fn dev_chain() -> sp_io::TestExternalities {
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	let preset = daeg_runtime::genesis_config_presets::get_preset(&DEV_RUNTIME_PRESET.into())
		.expect("the runtime has a development preset");
	// Merged as the node merges a genesis preset into the default config.
	json_merge(&mut config, serde_json::from_slice(&preset).unwrap());
	let mut ext = sp_io::TestExternalities::new_empty();
	ext.execute_with(|| {
		build_state::<RuntimeGenesisConfig>(serde_json::to_vec(&config).unwrap()).unwrap();
		System::set_block_number(1);
	});
	ext
}

/// Grid time of the first block: the start of an interval, in 2027.
pub const START_MS: u64 = 1_800_000_000_000;
/// The dev chain's block time.
pub const BLOCK_MS: u64 = 6_000;

/// A dev chain run block by block: each block runs every pallet's `on_initialize`, then what
/// the test dispatches in it, then `on_idle` with the weight the block has left, as the
/// executive does.
pub struct Grid {
	/// Grid time of the current block.
	pub now_ms: u64,
	block: u32,
	used: frame_support::weights::Weight,
	/// The most `on_idle` gets per block (`None`: what the block has left), as if blocks
	/// were full of other work.
	pub idle: Option<frame_support::weights::Weight>,
}

impl Grid {
	/// Starts the first block at [`START_MS`].
	pub fn start() -> Self {
		let mut grid = Grid { now_ms: START_MS, block: 1, used: Default::default(), idle: None };
		grid.begin();
		grid
	}

	/// The interval length, ms.
	pub fn length() -> u64 {
		daeg_runtime::genesis_config_presets::DEV_INTERVAL_MS
	}

	/// The current interval.
	pub fn interval(&self) -> IntervalIndex {
		IntervalIndex((self.now_ms / Self::length()) as u32)
	}

	fn begin(&mut self) {
		System::set_block_number(self.block);
		pallet_timestamp::Now::<Runtime>::put(self.now_ms);
		self.used = <AllPalletsWithSystem as OnInitialize<u32>>::on_initialize(self.block);
	}

	fn end(&mut self) {
		let max = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
		let left = max.saturating_sub(self.used);
		let idle = self.idle.map_or(left, |idle| idle.min(left));
		<AllPalletsWithSystem as OnIdle<u32>>::on_idle(self.block, idle);
	}

	/// Ends the current block and starts the next, one block time later.
	pub fn next_block(&mut self) {
		self.end();
		self.block += 1;
		self.now_ms += BLOCK_MS;
		self.begin();
	}

	/// Runs blocks until grid time is in `interval` (a little past its start).
	pub fn until(&mut self, interval: IntervalIndex) {
		while self.interval() < interval {
			self.next_block();
		}
	}

	/// Runs blocks for `n` more intervals.
	pub fn intervals(&mut self, n: u32) {
		let to = IntervalIndex(self.interval().0 + n);
		self.until(to);
	}
}

/// Every pallet's invariants hold.
pub fn invariants() {
	pallet_grid::Pallet::<Runtime>::do_try_state().expect("grid invariants");
	pallet_consumption::Pallet::<Runtime>::do_try_state().expect("metering invariants");
	pallet_pricing::Pallet::<Runtime>::do_try_state().expect("market invariants");
	pallet_production::Pallet::<Runtime>::do_try_state().expect("production invariants");
	pallet_balancing::Pallet::<Runtime>::do_try_state().expect("balancing invariants");
}

/// A meter whose device key the test holds, with its registers and counter.
pub struct TestMeter {
	pub id: MeterId,
	pub key: sr25519::Pair,
	pub counter: u32,
}

/// Installs a meter of `owner`'s and has the operators (Root) activate it.
pub fn meter(owner: &daeg_runtime::AccountId, kind: MeterKind, max_w: u64, seed: u8) -> TestMeter {
	let key = sr25519::Pair::from_seed(&[seed; 32]);
	let id = pallet_consumption::NextMeterId::<Runtime>::get();
	Consumption::install_meter(
		RuntimeOrigin::signed(owner.clone()),
		kind,
		ZoneId(0),
		Power(max_w),
		MeterPublic::from(key.public()),
	)
	.expect("installed");
	Consumption::activate_meter(RuntimeOrigin::root(), id).expect("activated");
	TestMeter { id, key, counter: 0 }
}

/// Why a reading was not recorded.
#[derive(Debug, PartialEq)]
pub enum Refused {
	/// By the transaction pool, with this validity error.
	Pool(TransactionValidityError),
	/// In dispatch.
	Dispatch(DispatchError),
}

impl TestMeter {
	/// The meter's signed reading of its registers at the end of `interval`, as the pool and
	/// then a block see it; the counter moves on only if it was recorded.
	pub fn read(
		&mut self,
		interval: IntervalIndex,
		imported: u64,
		exported: u64,
	) -> Result<(), Refused> {
		let reading = Reading {
			meter: self.id,
			interval,
			imported: Energy(imported),
			exported: Energy(exported),
			measured_at: (u64::from(interval.0) + 1) * Grid::length() + 1_000,
			counter: self.counter + 1,
		};
		let genesis = System::block_hash(0);
		let signature =
			MeterSignature::from(self.key.sign(&reading.signing_payload(genesis.as_ref())));
		let call = pallet_consumption::Call::<Runtime>::submit_reading { reading, signature };
		for source in [TransactionSource::External, TransactionSource::InBlock] {
			call.authorize(source).expect("readings are authorized").map_err(Refused::Pool)?;
		}
		RuntimeCall::Consumption(call)
			.dispatch_bypass_filter(frame_system::RawOrigin::Authorized.into())
			.map_err(|e| Refused::Dispatch(e.error))?;
		self.counter += 1;
		Ok(())
	}
}
