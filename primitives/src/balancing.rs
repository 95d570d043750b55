//! What the balancing pallet (`pallet-balancing`) shares with the market: the state of each
//! zone's market in an emergency, and the storage dispatch the market settles.
//!
//! The market consults [`GridControl`] when it clears an interval (a halted zone's orders and
//! an islanded zone's links are left out of the auction, an emergency cap bounds its prices)
//! and tells the balancing pallet each interval's result through [`OnCleared`], which answers
//! with the storage dispatch the market then settles like filled orders.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

use crate::{
	consumption::PriorityClass,
	grid::ZoneSpec,
	pricing::{Side, ZoneClearing},
	Energy, IntervalIndex, MeterId, Money, Power, PricePerKWh, ZoneId,
};
use sp_runtime::Perbill;

shared_type!(
	[Copy, Default]
	/// What the market must respect of a zone now.
	pub struct ZoneMarket {
		/// The zone's market is halted: its orders are left out of the auction and its consumers
		/// pay this emergency tariff.
		pub halted: Option<PricePerKWh>,
		/// The zone is cut off from its neighbours (an islanded microgrid, or a halted market):
		/// its links are left out of the auction.
		pub isolated: bool,
		/// An emergency cap on the zone's price and tariff.
		pub cap: Option<PricePerKWh>,
	}
);

/// Read access to the zones' emergency state (the balancing pallet).
pub trait GridControl {
	/// What the market must respect of `zone` now.
	fn market(zone: ZoneId) -> ZoneMarket;
}

/// No emergencies: every zone's market is open.
impl GridControl for () {
	fn market(_: ZoneId) -> ZoneMarket {
		ZoneMarket::default()
	}
}

/// A link between zones as an interval's auction used it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkFlow {
	/// One end.
	pub a: ZoneId,
	/// The other end.
	pub b: ZoneId,
	/// The most energy from `a` to `b` in the interval.
	pub a_to_b: Energy,
	/// The most energy from `b` to `a` in the interval.
	pub b_to_a: Energy,
	/// The net energy the auction moved from `a` to `b` (negative: back).
	pub flow: i64,
}

impl LinkFlow {
	/// What the link can still carry from `from` (one of its ends) to its other end.
	pub fn room_from(&self, from: ZoneId) -> Energy {
		let flow = i128::from(self.flow);
		let left = if from == self.a {
			i128::from(self.a_to_b.0).saturating_sub(flow)
		} else {
			i128::from(self.b_to_a.0).saturating_add(flow)
		};
		Energy(u64::try_from(left.max(0)).unwrap_or(u64::MAX))
	}

	/// The other end of the link from `zone`, if `zone` is one of its ends.
	pub fn across(&self, zone: ZoneId) -> Option<ZoneId> {
		if self.a == zone {
			Some(self.b)
		} else if self.b == zone {
			Some(self.a)
		} else {
			None
		}
	}
}

/// Energy the balancing pallet scheduled a storage unit to move in an interval: the market
/// settles it like a filled order at the zone's price against the unit's meter (a discharge
/// like an ask, a charge like a bid), so that it is paid only for what the meter measured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dispatch<AccountId> {
	/// The unit's owner, who is paid or pays.
	pub owner: AccountId,
	/// The unit's meter.
	pub meter: MeterId,
	/// The unit's zone.
	pub zone: ZoneId,
	/// `Sell`: a discharge; `Buy`: a charge.
	pub side: Side,
	/// The energy.
	pub energy: Energy,
}

/// Told of each interval's auction result, once per cleared interval.
pub trait OnCleared<AccountId> {
	/// `interval` cleared with these results per zone over these links, under the market's
	/// price `cap`. Returns the storage dispatch for the interval, which the market settles.
	fn on_cleared(
		interval: IntervalIndex,
		zones: &[(ZoneId, ZoneClearing)],
		links: &[LinkFlow],
		cap: PricePerKWh,
	) -> alloc::vec::Vec<Dispatch<AccountId>>;
	/// The most one [`Self::on_cleared`] weighs.
	fn weight() -> sp_runtime::Weight;
	/// The most dispatches one [`Self::on_cleared`] returns.
	fn max_dispatches() -> u32;
}

impl<AccountId> OnCleared<AccountId> for () {
	fn on_cleared(
		_: IntervalIndex,
		_: &[(ZoneId, ZoneClearing)],
		_: &[LinkFlow],
		_: PricePerKWh,
	) -> alloc::vec::Vec<Dispatch<AccountId>> {
		alloc::vec::Vec::new()
	}
	fn weight() -> sp_runtime::Weight {
		sp_runtime::Weight::zero()
	}
	fn max_dispatches() -> u32 {
		0
	}
}

shared_type!(
	[Copy, Default]
	/// A storage unit's part in an interval.
	pub enum Action {
		/// Neither charges nor discharges.
		#[default]
		Idle,
		/// Draws this energy from the grid (and stores it × efficiency).
		Charge(Energy),
		/// Delivers this energy to the grid.
		Discharge(Energy),
	}
);

shared_type!(
	[Copy, Default]
	/// A circuit breaker.
	pub enum Breaker {
		/// The clearing price sat at the cap for too many intervals in a row.
		#[default]
		PriceAtCap,
		/// What balancing could not cover was too large a share of the zone's load.
		Imbalance,
		/// Too large a share of the zone's meters had anomalous final values.
		AnomalousMeters,
	}
);

shared_type!(
	[Copy, Default]
	/// Who halted a zone's market.
	pub enum Halt {
		/// The grid operators.
		#[default]
		Operators,
		/// A circuit breaker tripped.
		Breaker(Breaker),
	}
);

shared_type!(
	[Copy, Default]
	/// When the circuit breakers trip; each is off while its threshold is `None`.
	pub struct BreakerSettings {
		/// Trip after this many intervals in a row cleared at the cap.
		pub cap_intervals: Option<u32>,
		/// Trip when the energy left unserved or curtailed exceeds this share of the load.
		pub imbalance_share: Option<Perbill>,
		/// Trip when more than this share of the zone's meters' final values are anomalous...
		pub anomalous_share: Option<Perbill>,
		/// ...among at least this many meters in the interval.
		pub min_meters: u32,
	}
);

shared_type!(
	[Copy, Default]
	/// A zone's emergency state.
	pub struct ZoneStatus {
		/// An emergency is declared.
		pub emergency: bool,
		/// The market is halted, and by whom.
		pub halted: Option<Halt>,
		/// The zone (a microgrid) is islanded: cut off from its neighbours.
		pub islanded: bool,
		/// An emergency cap on the zone's price and tariff.
		pub cap: Option<PricePerKWh>,
		/// Storage is discharged as far as it can be, whatever the imbalance.
		pub forced_discharge: bool,
		/// Load is shed up to this priority class (least critical first).
		pub shed: Option<PriorityClass>,
		/// How many intervals in a row cleared at the cap.
		pub at_cap: u32,
	}
);

shared_type!(
	[Copy, Default]
	/// A zone's balance in an interval: its position forecast by the auction, what balancing
	/// did about it, what remained, and what the meters measured.
	pub struct ZoneReport {
		/// The book's demand.
		pub demanded: Energy,
		/// The book's supply.
		pub offered: Energy,
		/// What the zone's bids bought (its own supply and imports).
		pub bought: Energy,
		/// What the zone's asks sold (to its bids and exports).
		pub sold: Energy,
		/// Demand left unmet after the auction, net of supply left unsold.
		pub short: Energy,
		/// Supply left unsold after the auction, net of demand left unmet.
		pub long: Energy,
		/// The forecast load above the zone's peak threshold.
		pub peak: Energy,
		/// Storage scheduled to discharge.
		pub discharged: Energy,
		/// Storage scheduled to charge.
		pub charged: Energy,
		/// Reduction requested from demand response.
		pub reduction_requested: Energy,
		/// Energy brought from neighbouring zones over the links' room left.
		pub transferred_in: Energy,
		/// Energy sent to neighbouring zones over the links' room left.
		pub transferred_out: Energy,
		/// The shortfall nothing covered.
		pub unserved: Energy,
		/// The surplus nothing took.
		pub curtailed: Energy,
		/// The peak nothing shaved.
		pub over_peak: Energy,
		/// Metered import of the zone's meters with final values so far.
		pub metered_import: Energy,
		/// Metered export of the zone's meters with final values so far.
		pub metered_export: Energy,
		/// How many of the zone's meters have final values so far.
		pub meters: u32,
		/// How many of those were flagged anomalous.
		pub anomalous: u32,
	}
);

shared_type!(
	[Copy, Default]
	/// A demand-response event in one zone and interval.
	pub struct DemandEvent {
		/// The reduction requested.
		pub requested: Energy,
		/// What the participants' enrolled flexible load covers of it.
		pub expected: Energy,
		/// The price per kWh of verified reduction.
		pub price: PricePerKWh,
		/// Why it was called.
		pub trigger: DemandTrigger,
		/// Reduction verified against baselines so far.
		pub verified: Energy,
		/// Rewards paid so far.
		#[serde(with = "crate::money_string")]
		pub rewarded: Money,
	}
);

shared_type!(
	[Copy, Default]
	/// Why a demand-response event was called.
	pub enum DemandTrigger {
		/// The forecast load crossed the zone's peak threshold.
		#[default]
		Peak,
		/// Storage could not cover the forecast shortfall.
		Shortfall,
		/// Metered load crossed the zone's peak threshold in an earlier interval.
		MeteredPeak,
		/// The grid operators called it.
		Operators,
	}
);

/// Payments from the market's settlement pot for services to the grid (demand response).
pub trait MarketFund<AccountId> {
	/// Pays `amount` to `who` from the pot (what it cannot pay now is owed, as in settlement).
	fn pay(who: &AccountId, amount: Money);
	/// The weight of one [`Self::pay`].
	fn pay_weight() -> sp_runtime::Weight;
}

/// A storage unit as clients see it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, Serialize, Deserialize)]
pub struct UnitView<AccountId> {
	/// Its id.
	pub unit: crate::UnitId,
	/// Its provider.
	pub owner: AccountId,
	/// Its zone.
	pub zone: ZoneId,
	/// Its meter.
	pub meter: MeterId,
	/// The most it stores.
	pub capacity: Energy,
	/// Its expected state of charge: measured, and scheduled since.
	pub charge: Energy,
	/// The most power it draws.
	pub max_charge: Power,
	/// The most power it delivers.
	pub max_discharge: Power,
	/// Its round-trip efficiency.
	pub efficiency: Perbill,
}

/// A zone as clients see it: its limits and its emergency state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, Serialize, Deserialize)]
pub struct ZoneView {
	/// Its id.
	pub zone: ZoneId,
	/// Its limits, if governance set them.
	pub spec: Option<ZoneSpec>,
	/// Its emergency state.
	pub status: ZoneStatus,
	/// Its demand-response program's price per kWh reduced, if it has one.
	pub program: Option<PricePerKWh>,
}

sp_api::decl_runtime_apis! {
	/// Balancing (the `balancing_*` RPC methods).
	pub trait BalancingApi<AccountId> where AccountId: codec::Codec {
		/// Every zone's limits, emergency state and program.
		fn zones() -> alloc::vec::Vec<ZoneView>;
		/// Every storage unit (of a zone, or all) with its state of charge.
		fn units(zone: Option<ZoneId>) -> alloc::vec::Vec<UnitView<AccountId>>;
		/// Each unit's schedule for an interval (while it is kept).
		fn schedule(interval: IntervalIndex) -> alloc::vec::Vec<(crate::UnitId, Action)>;
		/// A zone's balance reports from `from` to `to` (the kept ones, at most
		/// `MAX_QUERY_INTERVALS`).
		fn reports(zone: ZoneId, from: IntervalIndex, to: IntervalIndex) -> alloc::vec::Vec<(IntervalIndex, ZoneReport)>;
		/// A zone's demand-response events from `from` to `to` (the kept ones).
		fn demand_events(zone: ZoneId, from: IntervalIndex, to: IntervalIndex) -> alloc::vec::Vec<(IntervalIndex, DemandEvent)>;
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_link_has_room_left_each_way_after_its_flow() {
		let l = LinkFlow {
			a: ZoneId(0),
			b: ZoneId(1),
			a_to_b: Energy(100),
			b_to_a: Energy(50),
			flow: 30,
		};
		assert_eq!(l.room_from(ZoneId(0)), Energy(70));
		assert_eq!(l.room_from(ZoneId(1)), Energy(80));
		let back = LinkFlow { flow: -50, ..l };
		assert_eq!(
			(back.room_from(ZoneId(1)), back.room_from(ZoneId(0))),
			(Energy(0), Energy(150))
		);
		assert_eq!((l.across(ZoneId(1)), l.across(ZoneId(2))), (Some(ZoneId(0)), None));
	}
}
