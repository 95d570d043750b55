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
	market::{Side, ZoneClearing},
	Energy, IntervalIndex, MeterId, Money, PricePerKWh, ZoneId,
};

/// What the market must respect of a zone now.
#[derive(
	Clone,
	Copy,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
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
	/// `interval` cleared with these results per zone over these links. Returns the storage
	/// dispatch for the interval, which the market settles.
	fn on_cleared(
		interval: IntervalIndex,
		zones: &[(ZoneId, ZoneClearing)],
		links: &[LinkFlow],
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

/// Payments from the market's settlement pot for services to the grid (demand response).
pub trait MarketFund<AccountId> {
	/// Pays `amount` to `who` from the pot (what it cannot pay now is owed, as in settlement).
	fn pay(who: &AccountId, amount: Money);
	/// The weight of one [`Self::pay`].
	fn pay_weight() -> sp_runtime::Weight;
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
