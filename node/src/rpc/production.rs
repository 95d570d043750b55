//! The `production_*` RPC methods: production metrics, facilities' operating status and
//! overdue maintenance, answered by the runtime's `ProductionApi` at the best block (or at
//! `at`).
//!
//! Days are days since 1970-01-01 (UTC); energy is in Wh; capacity factor and availability are
//! in parts per million.

use daeg_primitives::{
	production::{FacilityStatus, ProductionApi as ProductionRuntimeApi, ProductionReport},
	DayIndex, Energy, EnergySource, FacilityId, ZoneId,
};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_runtime::traits::Block as BlockT;

use super::EnergyRpc;

/// Production metrics.
#[rpc(server)]
pub trait ProductionApi<BlockHash> {
	/// A facility's production, capacity factor and availability from day `from` to `to`
	/// (the kept days of that window); `null` for an unknown facility.
	#[method(name = "production_facilityReport")]
	fn facility_report(
		&self,
		facility: FacilityId,
		from: DayIndex,
		to: DayIndex,
		at: Option<BlockHash>,
	) -> RpcResult<Option<ProductionReport>>;

	/// Production per source and zone on a day: `[source, zone, Wh]` triples.
	#[method(name = "production_dayTotals")]
	fn day_totals(
		&self,
		day: DayIndex,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<(EnergySource, ZoneId, Energy)>>;

	/// How a facility is operating: whether it may sell now, its maintenance plan and when
	/// maintenance is due, its low-output flag, metered renewable and certified energy, unpaid
	/// premium; `null` for an unknown facility.
	#[method(name = "production_facilityStatus")]
	fn facility_status(
		&self,
		facility: FacilityId,
		at: Option<BlockHash>,
	) -> RpcResult<Option<FacilityStatus>>;

	/// Facilities whose maintenance is overdue: `[facility, day it was due]` pairs.
	#[method(name = "production_overdueMaintenance")]
	fn overdue_maintenance(&self, at: Option<BlockHash>) -> RpcResult<Vec<(FacilityId, DayIndex)>>;
}

impl<C, B> ProductionApiServer<B::Hash> for EnergyRpc<C, B>
where
	B: BlockT,
	C: ProvideRuntimeApi<B> + HeaderBackend<B> + Send + Sync + 'static,
	C::Api: ProductionRuntimeApi<B>,
{
	fn facility_report(
		&self,
		facility: FacilityId,
		from: DayIndex,
		to: DayIndex,
		at: Option<B::Hash>,
	) -> RpcResult<Option<ProductionReport>> {
		self.call(at, |api, at| api.facility_report(at, facility, from, to))
	}

	fn day_totals(
		&self,
		day: DayIndex,
		at: Option<B::Hash>,
	) -> RpcResult<Vec<(EnergySource, ZoneId, Energy)>> {
		self.call(at, |api, at| api.day_totals(at, day))
	}

	fn facility_status(
		&self,
		facility: FacilityId,
		at: Option<B::Hash>,
	) -> RpcResult<Option<FacilityStatus>> {
		self.call(at, |api, at| api.facility_status(at, facility))
	}

	fn overdue_maintenance(&self, at: Option<B::Hash>) -> RpcResult<Vec<(FacilityId, DayIndex)>> {
		self.call(at, |api, at| api.overdue_maintenance(at))
	}
}
