//! What the market (`pallet-pricing`) shares with the other pallets and clients: orders, zone
//! links and clearing results.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

use crate::{Energy, IntervalIndex, Power, PricePerKWh, ZoneId};

/// Identifies an order: its interval and its slot in that interval's book.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct OrderId {
	/// The interval the order is for.
	pub interval: IntervalIndex,
	/// Its slot in the interval's book (in order of arrival).
	pub slot: u32,
}

/// Whether an order buys or sells.
#[derive(
	Clone,
	Copy,
	Debug,
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
pub enum Side {
	/// A bid: buys.
	Buy,
	/// An ask: sells.
	Sell,
}

/// A link between two zones and the most power it carries each way.
#[derive(
	Clone,
	Copy,
	Debug,
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
pub struct ZoneLink {
	/// One end.
	pub a: ZoneId,
	/// The other end.
	pub b: ZoneId,
	/// The most power from `a` to `b`.
	pub a_to_b: Power,
	/// The most power from `b` to `a`.
	pub b_to_a: Power,
}

/// A zone's result of an interval's auction.
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
pub struct ZoneClearing {
	/// The clearing price; `None` if the market did not reach the zone.
	pub price: Option<PricePerKWh>,
	/// Energy the zone's bids bought.
	pub bought: Energy,
	/// Energy the zone's asks sold.
	pub sold: Energy,
}
