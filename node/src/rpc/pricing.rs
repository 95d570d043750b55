//! The `pricing_*` RPC methods: the market's state, current and past prices and tariffs per
//! zone, order-book depth, clearing results and accounts' statements, answered by the runtime's
//! `PricingApi` at the best block (or at `at`).
//!
//! Intervals are interval indices (grid time / interval length); days are days since
//! 1970-01-01 (UTC); energy is in Wh; prices are the chain's smallest unit per kWh and amounts
//! its smallest unit (JSON numbers, or hex strings above 2^53 as polkadot.js writes them).

use codec::Codec;
use daeg_primitives::{
	pricing::{
		AccountStatements, BookDepth, ForecastPrice, IntervalClearing, MarketStatus,
		PricingApi as PricingRuntimeApi, Quarantined, ZoneClearing,
	},
	DayIndex, IntervalIndex, MeterId, ZoneId,
};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_runtime::traits::Block as BlockT;

use super::EnergyRpc;

/// The market.
#[rpc(server)]
pub trait PricingApi<BlockHash, AccountId> {
	/// Where the market stands: the current and first open interval, the next to clear and to
	/// settle, the price floor and cap, imbalance prices, the tariff's parameters, the pot.
	#[method(name = "pricing_status")]
	fn status(&self, at: Option<BlockHash>) -> RpcResult<MarketStatus>;

	/// A zone's clearing price, volumes, book totals and tariff for each interval from `from`
	/// to `to` (at most 2,000); intervals the auction did not reach have no price and the
	/// tariff without a market.
	#[method(name = "pricing_prices")]
	fn prices(
		&self,
		zone: ZoneId,
		from: IntervalIndex,
		to: IntervalIndex,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<(IntervalIndex, ZoneClearing)>>;

	/// An interval's auction result: every zone's and the links' flows; `null` if it was not
	/// cleared or is no longer kept.
	#[method(name = "pricing_clearing")]
	fn clearing(
		&self,
		interval: IntervalIndex,
		at: Option<BlockHash>,
	) -> RpcResult<Option<IntervalClearing>>;

	/// What clearing an interval's book as it stands would give each zone (price, volumes,
	/// book totals, tariff): the indicative prices of a book still open, `[zone, result]` pairs.
	#[method(name = "pricing_indicative")]
	fn indicative(
		&self,
		interval: IntervalIndex,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<(ZoneId, ZoneClearing)>>;

	/// What the weather oracle's forecasts indicate for a zone from `from` to `to` (at most
	/// 2,000 intervals): the forecast (irradiance W/m², wind speed mm/s, temperature m°C; `null`
	/// where none was submitted), the energy price the zone's weather model gives it and the
	/// tariff without the auction's surcharges.
	#[method(name = "pricing_forecast")]
	fn forecast(
		&self,
		zone: ZoneId,
		from: IntervalIndex,
		to: IntervalIndex,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<(IntervalIndex, ForecastPrice)>>;

	/// A zone's order book for an interval by price level: bids dearest first, asks cheapest
	/// first.
	#[method(name = "pricing_depth")]
	fn depth(
		&self,
		interval: IntervalIndex,
		zone: ZoneId,
		at: Option<BlockHash>,
	) -> RpcResult<BookDepth>;

	/// An account's daily settlement statements from day `from` to `to`, its arrears and what
	/// the market owes it.
	#[method(name = "pricing_statements")]
	fn statements(
		&self,
		account: AccountId,
		from: DayIndex,
		to: DayIndex,
		at: Option<BlockHash>,
	) -> RpcResult<AccountStatements>;

	/// The meter intervals held out of settlement because their final value was flagged
	/// (oldest first, at most 2,000): `[interval, meter, held]`, `held` with the owner, the
	/// flagged value, what the meter bought and sold, the interval's price and tariff and what
	/// stays held of the owner's orders. A certifier or the operators release them
	/// (`pricing.releaseQuarantined`).
	#[method(name = "pricing_quarantined")]
	fn quarantined(
		&self,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<(IntervalIndex, MeterId, Quarantined<AccountId>)>>;
}

impl<C, B, AccountId> PricingApiServer<B::Hash, AccountId> for EnergyRpc<C, B>
where
	B: BlockT,
	C: ProvideRuntimeApi<B> + HeaderBackend<B> + Send + Sync + 'static,
	C::Api: PricingRuntimeApi<B, AccountId>,
	AccountId: Codec + Send + Sync + 'static,
{
	fn status(&self, at: Option<B::Hash>) -> RpcResult<MarketStatus> {
		self.call(at, |api, at| api.status(at))
	}

	fn prices(
		&self,
		zone: ZoneId,
		from: IntervalIndex,
		to: IntervalIndex,
		at: Option<B::Hash>,
	) -> RpcResult<Vec<(IntervalIndex, ZoneClearing)>> {
		self.call(at, |api, at| api.prices(at, zone, from, to))
	}

	fn clearing(
		&self,
		interval: IntervalIndex,
		at: Option<B::Hash>,
	) -> RpcResult<Option<IntervalClearing>> {
		self.call(at, |api, at| api.clearing(at, interval))
	}

	fn indicative(
		&self,
		interval: IntervalIndex,
		at: Option<B::Hash>,
	) -> RpcResult<Vec<(ZoneId, ZoneClearing)>> {
		self.call(at, |api, at| api.indicative(at, interval))
	}

	fn forecast(
		&self,
		zone: ZoneId,
		from: IntervalIndex,
		to: IntervalIndex,
		at: Option<B::Hash>,
	) -> RpcResult<Vec<(IntervalIndex, ForecastPrice)>> {
		self.call(at, |api, at| api.forecast(at, zone, from, to))
	}

	fn depth(
		&self,
		interval: IntervalIndex,
		zone: ZoneId,
		at: Option<B::Hash>,
	) -> RpcResult<BookDepth> {
		self.call(at, |api, at| api.depth(at, interval, zone))
	}

	fn statements(
		&self,
		account: AccountId,
		from: DayIndex,
		to: DayIndex,
		at: Option<B::Hash>,
	) -> RpcResult<AccountStatements> {
		self.call(at, |api, at| api.statements(at, account, from, to))
	}

	fn quarantined(
		&self,
		at: Option<B::Hash>,
	) -> RpcResult<Vec<(IntervalIndex, MeterId, Quarantined<AccountId>)>> {
		self.call(at, |api, at| api.quarantined(at))
	}
}
