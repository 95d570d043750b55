//! The `balancing_*` RPC methods: zones' limits and emergency state, storage units and their
//! state of charge, storage schedules, each zone's balance per interval and demand-response
//! events, answered by the runtime's `BalancingApi` at the best block (or at `at`).
//!
//! Energy is in Wh, power in W, prices in the chain's smallest unit per kWh; efficiencies and
//! shares are parts per billion.

use codec::Codec;
use daeg_primitives::{
	balancing::{
		Action, BalancingApi as BalancingRuntimeApi, DemandEvent, UnitView, ZoneReport, ZoneView,
	},
	IntervalIndex, UnitId, ZoneId,
};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_runtime::traits::Block as BlockT;

use super::EnergyRpc;

/// Balancing.
#[rpc(server)]
pub trait BalancingApi<BlockHash, AccountId> {
	/// Every zone's limits (capacity, peak share, parent), emergency state (emergency, halted
	/// and by whom, islanded, price cap, forced discharge, load shed) and program price.
	#[method(name = "balancing_zones")]
	fn zones(&self, at: Option<BlockHash>) -> RpcResult<Vec<ZoneView>>;

	/// Every storage unit (of `zone`, or all) with its expected state of charge.
	#[method(name = "balancing_units")]
	fn units(
		&self,
		zone: Option<ZoneId>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<UnitView<AccountId>>>;

	/// Each unit's charge or discharge scheduled for `interval`, `[unit, action]` pairs, until
	/// its meter's value is final.
	#[method(name = "balancing_schedule")]
	fn schedule(
		&self,
		interval: IntervalIndex,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<(UnitId, Action)>>;

	/// A zone's balance for each kept interval from `from` to `to`: the auction's position,
	/// storage, demand response and transfers, what remained, and what the meters measured.
	#[method(name = "balancing_reports")]
	fn reports(
		&self,
		zone: ZoneId,
		from: IntervalIndex,
		to: IntervalIndex,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<(IntervalIndex, ZoneReport)>>;

	/// A zone's demand-response events from `from` to `to`: requested, expected and verified
	/// reduction, price, trigger and rewards paid.
	#[method(name = "balancing_demandEvents")]
	fn demand_events(
		&self,
		zone: ZoneId,
		from: IntervalIndex,
		to: IntervalIndex,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<(IntervalIndex, DemandEvent)>>;
}

impl<C, B, AccountId> BalancingApiServer<B::Hash, AccountId> for EnergyRpc<C, B>
where
	B: BlockT,
	C: ProvideRuntimeApi<B> + HeaderBackend<B> + Send + Sync + 'static,
	C::Api: BalancingRuntimeApi<B, AccountId>,
	AccountId: Codec + Send + Sync + 'static + serde::Serialize,
{
	fn zones(&self, at: Option<B::Hash>) -> RpcResult<Vec<ZoneView>> {
		self.call(at, |api, at| api.zones(at))
	}

	fn units(
		&self,
		zone: Option<ZoneId>,
		at: Option<B::Hash>,
	) -> RpcResult<Vec<UnitView<AccountId>>> {
		self.call(at, |api, at| api.units(at, zone))
	}

	fn schedule(
		&self,
		interval: IntervalIndex,
		at: Option<B::Hash>,
	) -> RpcResult<Vec<(UnitId, Action)>> {
		self.call(at, |api, at| api.schedule(at, interval))
	}

	fn reports(
		&self,
		zone: ZoneId,
		from: IntervalIndex,
		to: IntervalIndex,
		at: Option<B::Hash>,
	) -> RpcResult<Vec<(IntervalIndex, ZoneReport)>> {
		self.call(at, |api, at| api.reports(at, zone, from, to))
	}

	fn demand_events(
		&self,
		zone: ZoneId,
		from: IntervalIndex,
		to: IntervalIndex,
		at: Option<B::Hash>,
	) -> RpcResult<Vec<(IntervalIndex, DemandEvent)>> {
		self.call(at, |api, at| api.demand_events(at, zone, from, to))
	}
}
