//! What the market (`pallet-pricing`) shares with the other pallets and clients: orders, zone
//! links and clearing results.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

use crate::{
	Energy, IntervalIndex, Irradiance, Money, PricePerKWh, Temperature, WindSpeed, ZoneId,
};

shared_type!(
	[Copy, PartialOrd, Ord]
	/// Identifies an order: its interval and its slot in that interval's book.
	pub struct OrderId {
		/// The interval the order is for.
		pub interval: IntervalIndex,
		/// Its slot in the interval's book (in order of arrival).
		pub slot: u32,
	}
);

shared_type!(
	[Copy]
	/// Whether an order buys or sells.
	pub enum Side {
		/// A bid: buys.
		Buy,
		/// An ask: sells.
		Sell,
	}
);

shared_type!(
	[Copy, Default]
	/// A zone's result of an interval's auction.
	pub struct ZoneClearing {
		/// The clearing price; `None` if the market did not reach the zone.
		pub price: Option<PricePerKWh>,
		/// Energy the zone's bids bought.
		pub bought: Energy,
		/// Energy the zone's asks sold.
		pub sold: Energy,
		/// Energy the zone's bids asked for (the book's demand).
		pub demanded: Energy,
		/// Energy the zone's asks offered (the book's supply).
		pub offered: Energy,
		/// What consumers who did not bid pay per kWh (see [`TariffParameters`]).
		pub tariff: PricePerKWh,
	}
);

shared_type!(
	[Copy, Default]
	/// What governance sets for the tariff of consumers who do not bid. A zone's tariff in an
	/// interval is its energy price (the clearing price, or `reference` where the auction set
	/// none) plus `grid_fees` for the hour of day, plus `congestion` when the zone imported at a
	/// link's limit, plus `scarcity` scaled by the share of the book's demand that supply offered
	/// in the zone could not meet; all within the market's floor and cap.
	pub struct TariffParameters {
		/// The energy price where the auction set none.
		pub reference: PricePerKWh,
		/// The grid fee for each hour of the day (UTC), from midnight.
		pub grid_fees: [PricePerKWh; 24],
		/// The surcharge while the zone imports at a link's limit.
		pub congestion: PricePerKWh,
		/// The surcharge when supply meets none of the demand (scaled down as it meets more).
		pub scarcity: PricePerKWh,
	}
);

shared_type!(
	[Copy, Default]
	/// The prices at which deviations from traded positions are settled: `short` for energy the
	/// grid had to supply (a seller's shortfall; at least the clearing price), `long` for energy
	/// the grid had to take (a seller's surplus and unsold export; a buyer's unused purchase at
	/// most at the clearing price). `long ≤ short`, so that no deviation pays.
	pub struct ImbalancePrices {
		/// Paid per kWh the grid supplied.
		pub short: PricePerKWh,
		/// Received per kWh the grid took.
		pub long: PricePerKWh,
	}
);

shared_type!(
	[Copy, Default]
	/// What one account was charged and credited in settlement: for one meter and interval (in
	/// events) or summed over a day (in statements). Charges are rounded up and credits down.
	pub struct Statement {
		/// Energy bought in the auction.
		pub bought: Energy,
		/// Paid for it at the clearing price.
		#[serde(with = "crate::money_string")]
		pub bought_cost: Money,
		/// Energy sold in the auction.
		pub sold: Energy,
		/// Received for it at the clearing price.
		#[serde(with = "crate::money_string")]
		pub sold_revenue: Money,
		/// Consumption beyond what was bought.
		pub tariff_energy: Energy,
		/// Paid for it at the tariff.
		#[serde(with = "crate::money_string")]
		pub tariff_cost: Money,
		/// Energy sold but not delivered.
		pub short: Energy,
		/// Paid for it at the short imbalance price.
		#[serde(with = "crate::money_string")]
		pub short_cost: Money,
		/// Energy bought but not used, and export beyond what was sold.
		pub long: Energy,
		/// Received for it: unused purchases at the long imbalance price or the clearing price,
		/// whichever is lower; surplus export at the long price.
		#[serde(with = "crate::money_string")]
		pub long_credit: Money,
	}
);

impl Statement {
	/// Everything charged.
	pub fn charged(&self) -> Money {
		self.bought_cost.saturating_add(self.tariff_cost).saturating_add(self.short_cost)
	}

	/// Everything credited.
	pub fn credited(&self) -> Money {
		self.sold_revenue.saturating_add(self.long_credit)
	}

	/// Adds `other` (a day's statement grows by each settled line).
	pub fn add(&mut self, other: &Statement) {
		self.bought = self.bought.saturating_add(other.bought);
		self.bought_cost = self.bought_cost.saturating_add(other.bought_cost);
		self.sold = self.sold.saturating_add(other.sold);
		self.sold_revenue = self.sold_revenue.saturating_add(other.sold_revenue);
		self.tariff_energy = self.tariff_energy.saturating_add(other.tariff_energy);
		self.tariff_cost = self.tariff_cost.saturating_add(other.tariff_cost);
		self.short = self.short.saturating_add(other.short);
		self.short_cost = self.short_cost.saturating_add(other.short_cost);
		self.long = self.long.saturating_add(other.long);
		self.long_credit = self.long_credit.saturating_add(other.long_credit);
	}

	/// Whether nothing was bought, sold or metered.
	pub fn is_empty(&self) -> bool {
		*self == Self::default()
	}

	/// What the line pays its account, less what it charges (negative: the account pays).
	pub fn net(&self) -> i128 {
		let credited = i128::try_from(self.credited()).unwrap_or(i128::MAX);
		let charged = i128::try_from(self.charged()).unwrap_or(i128::MAX);
		credited.saturating_sub(charged)
	}
}

view_type!(
	[Copy]
	/// One price level of an order book: the energy bids (or asks) want at that limit price.
	pub struct PriceLevel {
		/// The limit price.
		pub price: PricePerKWh,
		/// The live orders' energy at it.
		pub energy: Energy,
		/// How many live orders.
		pub orders: u32,
	}
);

view_type!(
	[Default]
	/// A zone's order book for one interval, by price level: bids from the dearest, asks from the
	/// cheapest.
	pub struct BookDepth {
		/// Bid levels, dearest first.
		pub bids: alloc::vec::Vec<PriceLevel>,
		/// Ask levels, cheapest first.
		pub asks: alloc::vec::Vec<PriceLevel>,
	}
);

view_type!(
	[Default]
	/// An interval's result of the auction: each zone's and the links' flows.
	pub struct IntervalClearing {
		/// Each zone's result.
		pub zones: alloc::vec::Vec<(ZoneId, ZoneClearing)>,
		/// Net energy over each link, from its first zone to its second (negative: back), Wh.
		pub flows: alloc::vec::Vec<(ZoneId, ZoneId, i64)>,
	}
);

view_type!(
	[Copy]
	/// Where the market stands.
	pub struct MarketStatus {
		/// Grid time now, ms since the Unix epoch.
		pub now_ms: u64,
		/// How grid time runs faster than the chain's clock (demo and research chains).
		pub time_scale: Option<crate::TimeScale>,
		/// The interval length, ms.
		pub interval_length_ms: u64,
		/// The current interval.
		pub current: IntervalIndex,
		/// The first interval orders are taken for.
		pub first_open: IntervalIndex,
		/// The next interval the hook clears (`None` before the first block with a timestamp).
		pub next_to_clear: Option<IntervalIndex>,
		/// The oldest interval not yet fully settled.
		pub next_to_settle: Option<IntervalIndex>,
		/// The price floor.
		pub floor: PricePerKWh,
		/// The price cap.
		pub cap: PricePerKWh,
		/// The imbalance prices.
		pub imbalance: ImbalancePrices,
		/// The tariff's parameters.
		pub tariff: TariffParameters,
		/// What the settlement pot holds.
		#[serde(with = "crate::money_string")]
		pub pot: Money,
	}
);

view_type!(
	[Default]
	/// An account's standing with the market.
	pub struct AccountStatements {
		/// Its daily statements in the asked window that are still kept.
		pub days: alloc::vec::Vec<(crate::DayIndex, Statement)>,
		/// What it owes the market.
		#[serde(with = "crate::money_string")]
		pub arrears: Money,
		/// What the market owes it.
		#[serde(with = "crate::money_string")]
		pub owed: Money,
	}
);

shared_type!(
	[Copy, Default]
	/// A weather forecast for one zone and interval, as the weather oracle submits it.
	pub struct Weather {
		/// Global horizontal irradiance.
		pub irradiance: Irradiance,
		/// Wind speed at hub height.
		pub wind_speed: WindSpeed,
		/// Air temperature.
		pub temperature: Temperature,
	}
);

/// Irradiance at full sun (standard test conditions): PV runs at its rated power.
pub const FULL_SUN: Irradiance = Irradiance(1_000);
/// The most irradiance a forecast may give (the solar constant is 1,361 W/m² above the air).
pub const MAX_IRRADIANCE: Irradiance = Irradiance(1_500);
/// The fastest wind a forecast may give: 120 m/s.
pub const MAX_WIND_SPEED: WindSpeed = WindSpeed(120_000);
/// The coldest temperature a forecast may give.
pub const MIN_TEMPERATURE: Temperature = Temperature::from_celsius(-100);
/// The hottest temperature a forecast may give.
pub const MAX_TEMPERATURE: Temperature = Temperature::from_celsius(70);

shared_type!(
	[Copy]
	/// The weather a zone can see in one season: what a forecast beyond it is refused as.
	pub struct WeatherRange {
		/// The strongest irradiance.
		pub max_irradiance: Irradiance,
		/// The fastest wind.
		pub max_wind_speed: WindSpeed,
		/// The coldest temperature.
		pub min_temperature: Temperature,
		/// The hottest temperature.
		pub max_temperature: Temperature,
	}
);

shared_type!(
	[Copy]
	/// How far one forecast of an interval may move from the same oracle's previous forecast of
	/// it: forecasts sharpen as the interval nears, they do not leap.
	pub struct WeatherChange {
		/// The largest change of irradiance.
		pub irradiance: Irradiance,
		/// The largest change of wind speed.
		pub wind_speed: WindSpeed,
		/// The largest change of temperature, in m°C.
		pub temperature: u32,
	}
);

shared_type!(
	[Copy]
	/// A zone's climate, set by governance: the weather plausible in each season and the largest
	/// revision of a forecast. Forecasts outside it are refused, so that an oracle's mistake or
	/// malice moves prices no further than real weather could.
	pub struct Climate {
		/// The plausible weather by season (UTC months): December to February, March to May, June
		/// to August, September to November.
		pub seasons: [WeatherRange; 4],
		/// The largest revision of a forecast.
		pub max_change: WeatherChange,
	}
);

shared_type!(
	[Copy, Default]
	/// How the weather moves a zone's energy price where the auction sets none (and the indicative
	/// price before it does), set by governance per zone.
	///
	/// The price is the tariff's reference price, raised by `heating` for each degree the
	/// temperature lies below `heating_below` and by `cooling` for each degree above
	/// `cooling_above` (demand for heat pumps and air conditioning), and lowered by `solar` times
	/// the PV output (irradiance over [`FULL_SUN`], at most one) and by `wind` times the wind
	/// turbines' output: zero below `cut_in`, rising with the cube of the speed to one at
	/// `rated`, one up to `cut_out`, where turbines stop for the storm. Never below zero.
	pub struct WeatherModel {
		/// The price drop when PV runs at full power.
		pub solar: PricePerKWh,
		/// The price drop when wind turbines run at rated power.
		pub wind: PricePerKWh,
		/// The wind speed turbines start at.
		pub cut_in: WindSpeed,
		/// The wind speed turbines reach rated power at.
		pub rated: WindSpeed,
		/// The wind speed turbines stop at.
		pub cut_out: WindSpeed,
		/// Below this temperature, demand for heat raises the price.
		pub heating_below: Temperature,
		/// The rise per degree below `heating_below`.
		pub heating: PricePerKWh,
		/// Above this temperature, demand for cooling raises the price.
		pub cooling_above: Temperature,
		/// The rise per degree above `cooling_above`.
		pub cooling: PricePerKWh,
	}
);

view_type!(
	[Copy, Default]
	/// What the weather indicates for a zone and interval.
	pub struct ForecastPrice {
		/// The oracle's forecast, if it submitted one.
		pub weather: Option<Weather>,
		/// The energy price it indicates (see [`WeatherModel`]; the reference price without a
		/// forecast or a model), within the floor and cap.
		pub price: PricePerKWh,
		/// The tariff it indicates for consumers who do not bid: that price and the hour's grid
		/// fee (congestion and scarcity are only known once the book clears).
		pub tariff: PricePerKWh,
	}
);

sp_api::decl_runtime_apis! {
	/// The market (the `pricing_*` RPC methods).
	pub trait PricingApi<AccountId> where AccountId: codec::Codec {
		/// Where the market stands: clock, parameters and the pot.
		fn status() -> MarketStatus;
		/// A zone's results from interval `from` to `to` (at most `MAX_QUERY_INTERVALS`, the
		/// kept ones), with the tariff of intervals the auction did not reach.
		fn prices(zone: ZoneId, from: IntervalIndex, to: IntervalIndex) -> alloc::vec::Vec<(IntervalIndex, ZoneClearing)>;
		/// An interval's result, if it was cleared and is still kept.
		fn clearing(interval: IntervalIndex) -> Option<IntervalClearing>;
		/// What clearing an interval's book as it stands would give each zone: the indicative
		/// price of a book still open.
		fn indicative(interval: IntervalIndex) -> alloc::vec::Vec<(ZoneId, ZoneClearing)>;
		/// What the weather oracle's forecasts indicate for a zone from interval `from` to `to`
		/// (at most `MAX_QUERY_INTERVALS`).
		fn forecast(zone: ZoneId, from: IntervalIndex, to: IntervalIndex) -> alloc::vec::Vec<(IntervalIndex, ForecastPrice)>;
		/// A zone's book for an interval (open, or cleared and not yet settled).
		fn depth(interval: IntervalIndex, zone: ZoneId) -> BookDepth;
		/// An account's daily statements from day `from` to `to`, arrears and what it is owed.
		fn statements(who: AccountId, from: crate::DayIndex, to: crate::DayIndex) -> AccountStatements;
		/// The meter intervals held out of settlement (at most `MAX_QUERY_INTERVALS`), oldest
		/// interval first.
		fn quarantined() -> alloc::vec::Vec<(IntervalIndex, crate::MeterId, Quarantined<AccountId>)>;
	}
}

shared_type!(
	[]
	/// A meter's interval held out of settlement: its final value was flagged (see
	/// [`crate::consumption::Anomaly`]), so nothing is paid or charged for it until a certifier or the
	/// grid operators release it, as it is or with a corrected value.
	pub struct Quarantined<AccountId> {
		/// Whose meter it is (who is paid or charged once it is released).
		pub owner: AccountId,
		/// The meter's zone.
		pub zone: ZoneId,
		/// The flagged final value.
		pub record: crate::consumption::IntervalRecord,
		/// Energy the meter's bids bought in the interval.
		pub bought: Energy,
		/// Energy the meter's asks sold in the interval.
		pub sold: Energy,
		/// The interval's clearing price in the zone (zero where the auction set none).
		pub price: PricePerKWh,
		/// The interval's tariff in the zone.
		pub tariff: PricePerKWh,
		/// What stays held of the owner's orders until release.
		#[serde(with = "crate::money_string")]
		pub held: Money,
	}
);

/// What the market knows of a member's standing: whether it owes the market, and whether a
/// meter still has positions to settle. The consumption pallet asks before it lets a meter go,
/// so that nobody leaves without paying.
pub trait MarketStanding<AccountId> {
	/// Whether `who` owes the market arrears.
	fn in_arrears(who: &AccountId) -> bool;
	/// Whether `meter` has orders in an interval not yet settled.
	fn has_positions(meter: crate::MeterId) -> bool;
	/// The most weight one call of either may take.
	fn weight() -> sp_runtime::Weight;
}

impl<AccountId> MarketStanding<AccountId> for () {
	fn in_arrears(_: &AccountId) -> bool {
		false
	}
	fn has_positions(_: crate::MeterId) -> bool {
		false
	}
	fn weight() -> sp_runtime::Weight {
		sp_runtime::Weight::zero()
	}
}

/// The most intervals one `prices` query covers.
pub const MAX_QUERY_INTERVALS: u32 = 2_000;
