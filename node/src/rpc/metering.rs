//! The `metering_*` RPC methods: consumption analytics and carbon footprints, answered by the
//! runtime's `MeteringApi` at the best block (or at `at`).
//!
//! Values are JSON numbers in their unit (Wh, W, grams CO₂); periods are `{"Day": d}` (days
//! since 1970-01-01, UTC) or `{"Month": m}` (months since January 1970); a load factor is in
//! parts per million.

use std::sync::Arc;

use codec::Codec;
use daeg_primitives::{
	analytics::{
		EnergyReport, Footprint, HourlyEnergy, MeteredInterval, MeteringApi as MeteringRuntimeApi,
		Period,
	},
	DayIndex, IntervalIndex, MeterId,
};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_runtime::traits::Block as BlockT;

use super::runtime_error;

/// Consumption analytics and carbon footprints.
#[rpc(server)]
pub trait MeteringApi<BlockHash, AccountId> {
	/// A meter's intervals from `from` to `to` inclusive that its history still holds (the
	/// latest day and a bit), each with its quality and whether it is final.
	#[method(name = "metering_intervals")]
	fn intervals(
		&self,
		meter: MeterId,
		from: IntervalIndex,
		to: IntervalIndex,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<MeteredInterval>>;

	/// A meter's energy, peak power and load factor over a day or month; `null` for an
	/// unknown meter or a period not kept.
	#[method(name = "metering_meterReport")]
	fn meter_report(
		&self,
		meter: MeterId,
		period: Period,
		at: Option<BlockHash>,
	) -> RpcResult<Option<EnergyReport>>;

	/// The same over all of an account's meters.
	#[method(name = "metering_accountReport")]
	fn account_report(
		&self,
		account: AccountId,
		period: Period,
		at: Option<BlockHash>,
	) -> RpcResult<EnergyReport>;

	/// A meter's typical day, hour by hour (UTC); `null` for an unknown meter.
	#[method(name = "metering_dailyProfile")]
	fn daily_profile(
		&self,
		meter: MeterId,
		at: Option<BlockHash>,
	) -> RpcResult<Option<Vec<HourlyEnergy>>>;

	/// An account's carbon footprint over a day.
	#[method(name = "metering_carbonFootprint")]
	fn carbon_footprint(
		&self,
		account: AccountId,
		day: DayIndex,
		at: Option<BlockHash>,
	) -> RpcResult<Footprint>;
}

/// The `metering_*` methods over a client.
pub struct Metering<C, B> {
	client: Arc<C>,
	_block: std::marker::PhantomData<B>,
}

impl<C, B> Metering<C, B> {
	/// Methods answered by `client`'s runtime.
	pub fn new(client: Arc<C>) -> Self {
		Self { client, _block: Default::default() }
	}
}

impl<C, B, AccountId> MeteringApiServer<B::Hash, AccountId> for Metering<C, B>
where
	B: BlockT,
	C: ProvideRuntimeApi<B> + HeaderBackend<B> + Send + Sync + 'static,
	C::Api: MeteringRuntimeApi<B, AccountId>,
	AccountId: Codec + Send + Sync + 'static,
{
	fn intervals(
		&self,
		meter: MeterId,
		from: IntervalIndex,
		to: IntervalIndex,
		at: Option<B::Hash>,
	) -> RpcResult<Vec<MeteredInterval>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		self.client.runtime_api().intervals(at, meter, from, to).map_err(runtime_error)
	}

	fn meter_report(
		&self,
		meter: MeterId,
		period: Period,
		at: Option<B::Hash>,
	) -> RpcResult<Option<EnergyReport>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		self.client.runtime_api().meter_report(at, meter, period).map_err(runtime_error)
	}

	fn account_report(
		&self,
		account: AccountId,
		period: Period,
		at: Option<B::Hash>,
	) -> RpcResult<EnergyReport> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		self.client.runtime_api().account_report(at, account, period).map_err(runtime_error)
	}

	fn daily_profile(
		&self,
		meter: MeterId,
		at: Option<B::Hash>,
	) -> RpcResult<Option<Vec<HourlyEnergy>>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		self.client.runtime_api().daily_profile(at, meter).map_err(runtime_error)
	}

	fn carbon_footprint(
		&self,
		account: AccountId,
		day: DayIndex,
		at: Option<B::Hash>,
	) -> RpcResult<Footprint> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		self.client.runtime_api().carbon_footprint(at, account, day).map_err(runtime_error)
	}
}
