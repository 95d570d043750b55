//! The `consumption_*` RPC methods: consumption analytics and carbon footprints, answered by the
//! runtime's `ConsumptionApi` at the best block (or at `at`).
//!
//! Values are JSON numbers in their unit (Wh, W, grams CO₂); periods are `{"Day": d}` (days
//! since 1970-01-01, UTC) or `{"Month": m}` (months since January 1970); a load factor is in
//! parts per million.

use codec::Codec;
use daeg_primitives::{
	consumption::{
		ConsumptionApi as ConsumptionRuntimeApi, EnergyReport, Footprint, HourlyEnergy,
		MeteredInterval, Period,
	},
	DayIndex, IntervalIndex, MeterId,
};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_runtime::traits::Block as BlockT;

use super::EnergyRpc;

/// Consumption analytics and carbon footprints.
#[rpc(server)]
pub trait ConsumptionApi<BlockHash, AccountId> {
	/// A meter's intervals from `from` to `to` inclusive that its history still holds (the
	/// latest day and a bit), each with its quality and whether it is final.
	#[method(name = "consumption_intervals")]
	fn intervals(
		&self,
		meter: MeterId,
		from: IntervalIndex,
		to: IntervalIndex,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<MeteredInterval>>;

	/// A meter's energy, peak power and load factor over a day or month; `null` for an
	/// unknown meter or a period not kept.
	#[method(name = "consumption_meterReport")]
	fn meter_report(
		&self,
		meter: MeterId,
		period: Period,
		at: Option<BlockHash>,
	) -> RpcResult<Option<EnergyReport>>;

	/// The same over all of an account's meters.
	#[method(name = "consumption_accountReport")]
	fn account_report(
		&self,
		account: AccountId,
		period: Period,
		at: Option<BlockHash>,
	) -> RpcResult<EnergyReport>;

	/// A meter's typical day, hour by hour (UTC); `null` for an unknown meter.
	#[method(name = "consumption_dailyProfile")]
	fn daily_profile(
		&self,
		meter: MeterId,
		at: Option<BlockHash>,
	) -> RpcResult<Option<Vec<HourlyEnergy>>>;

	/// An account's carbon footprint over a day.
	#[method(name = "consumption_carbonFootprint")]
	fn carbon_footprint(
		&self,
		account: AccountId,
		day: DayIndex,
		at: Option<BlockHash>,
	) -> RpcResult<Footprint>;
}

impl<C, B, AccountId> ConsumptionApiServer<B::Hash, AccountId> for EnergyRpc<C, B>
where
	B: BlockT,
	C: ProvideRuntimeApi<B> + HeaderBackend<B> + Send + Sync + 'static,
	C::Api: ConsumptionRuntimeApi<B, AccountId>,
	AccountId: Codec + Send + Sync + 'static,
{
	fn intervals(
		&self,
		meter: MeterId,
		from: IntervalIndex,
		to: IntervalIndex,
		at: Option<B::Hash>,
	) -> RpcResult<Vec<MeteredInterval>> {
		self.call(at, |api, at| api.intervals(at, meter, from, to))
	}

	fn meter_report(
		&self,
		meter: MeterId,
		period: Period,
		at: Option<B::Hash>,
	) -> RpcResult<Option<EnergyReport>> {
		self.call(at, |api, at| api.meter_report(at, meter, period))
	}

	fn account_report(
		&self,
		account: AccountId,
		period: Period,
		at: Option<B::Hash>,
	) -> RpcResult<EnergyReport> {
		self.call(at, |api, at| api.account_report(at, account, period))
	}

	fn daily_profile(
		&self,
		meter: MeterId,
		at: Option<B::Hash>,
	) -> RpcResult<Option<Vec<HourlyEnergy>>> {
		self.call(at, |api, at| api.daily_profile(at, meter))
	}

	fn carbon_footprint(
		&self,
		account: AccountId,
		day: DayIndex,
		at: Option<B::Hash>,
	) -> RpcResult<Footprint> {
		self.call(at, |api, at| api.carbon_footprint(at, account, day))
	}
}
