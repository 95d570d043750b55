//! # Pricing pallet: DAEG's market
//!
//! The market trades the grid pallet's intervals over its zones and links
//! ([`daeg_primitives::Grid`]). Orders for future intervals are accepted until gate closure; then `on_initialize` clears the interval's book with [`clearing`], a
//! welfare-maximising uniform-price double auction over zones joined by transfer limits, and
//! publishes each zone's price and tariff. Every meter's interval is settled against its final
//! metered value (the `settlement` module, `docs/pricing.md`).
//!
//! ## Orders
//!
//! A **bid** names one of the bidder's active meters (its zone is the bid's), an **ask** one
//! of the seller's facilities that may sell at the interval's start (certified, not suspended,
//! not under maintenance; storage too), offering at most what its capacity generates in an
//! interval. Both give energy (Wh, partly fillable) and a limit price per kWh within
//! governance's floor and cap. A bid holds its most cost (energy × limit, rounded up), an ask
//! its energy at the short imbalance price (collateral for a shortfall), until settlement;
//! cancelling before gate closure releases the hold. An account in arrears places no order.
//! Orders live in pages of [`PAGE_SIZE`] per interval, so that clearing reads and writes a few
//! large items rather than one per order.
//!
//! ## Clearing
//!
//! Gate closure for interval `i` is the start of interval `i − GateClosureIntervals`. In the
//! first block at or after it, `on_initialize` loads the book, clears it, writes each order's
//! fill back into its page, each zone's price and volumes, and the flows over the links.
//!
//! ## Tariffs and settlement
//!
//! Consumers who do not bid pay the zone's tariff: the clearing price (or, where the auction
//! sets none, a reference price moved by the weather oracle's forecast for the zone: the
//! `tariff` module), the hour's grid fee, a congestion and a scarcity surcharge. Once a meter's
//! value for an interval is final, its bids and asks are settled at the clearing price,
//! deviations at governance's imbalance prices and unbought consumption at the tariff, all
//! through one pot held on the market account; each account gets daily statements. Settled
//! books are removed. A flagged value is quarantined until a certifier or the operators release
//! it, and what settlement cannot price fails closed (`docs/pricing.md`, "Threats and
//! defences").

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod book;
pub mod clearing;
#[cfg(test)]
mod mock;
mod queries;
mod settlement;
pub mod statement;
mod tariff;
#[cfg(test)]
mod tests;
pub mod weather;
pub mod weights;

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use daeg_primitives::{
	pricing::Side, Energy, EnergySource, FacilityId, Grid, GridClock, MeterId, PricePerKWh, ZoneId,
};
use frame_support::traits::fungible;
use scale_info::TypeInfo;

/// Orders per page of an interval's book. Clearing reads every page once per interval, but
/// settlement reads a meter's page once per meter: small pages keep what settling one meter
/// reads (and proves) to a few kilobytes, at a few hundred reads for a full book's clearing.
pub const PAGE_SIZE: u32 = 32;

/// The balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

daeg_primitives::stored_type!(
	[Copy]
	/// Where an order's energy is delivered or comes from.
	pub enum Origin {
		/// A bid, delivered at this meter.
		Meter(MeterId),
		/// An ask, from this facility generating from this source.
		Facility(FacilityId, EnergySource),
		/// Storage dispatch the balancing pallet scheduled when the interval cleared (a `Sell`
		/// discharges, a `Buy` charges): entered filled at the zone's price, settled like the
		/// auction's fills against the unit's meter. Never part of the auction.
		Dispatched(Side),
	}
);

daeg_primitives::stored_type!(
	[]
	/// An order in an interval's book.
	pub struct Order<AccountId, Balance> {
		/// Who placed it.
		pub owner: AccountId,
		/// Its meter (a bid) or facility (an ask).
		pub origin: Origin,
		/// The meter that measures its delivery (a bid's own, an ask's facility's).
		pub meter: MeterId,
		/// Its zone (the meter's or facility's).
		pub zone: ZoneId,
		/// The energy asked for or offered; zero once cancelled.
		pub energy: Energy,
		/// The limit price.
		pub price: PricePerKWh,
		/// What is held from a bidder (zero for asks).
		pub held: Balance,
		/// The energy it traded once the interval is cleared.
		pub filled: Energy,
	}
);

impl<AccountId, Balance> Order<AccountId, Balance> {
	/// Whether it buys or sells.
	pub fn side(&self) -> Side {
		match self.origin {
			Origin::Meter(_) => Side::Buy,
			Origin::Facility(..) => Side::Sell,
			Origin::Dispatched(side) => side,
		}
	}
}

/// An order as this pallet's configuration stores it.
pub type OrderOf<T> = Order<<T as frame_system::Config>::AccountId, BalanceOf<T>>;

daeg_primitives::stored_type!(
	[]
	/// A meter's orders in one interval until they are settled.
	pub struct Position<AccountId, Balance, Slots> {
		/// Who placed them (one account per meter and interval).
		pub owner: AccountId,
		/// Their slots in the interval's book.
		pub slots: Slots,
		/// The energy its live asks offer: at most what the facility generates in an interval.
		pub offered: Energy,
		/// What its live orders hold: released at settlement even if the book lost an order.
		pub held: Balance,
	}
);

/// A position as this pallet's configuration stores it.
pub type PositionOf<T> = Position<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	frame_support::BoundedVec<u32, <T as Config>::MaxOrdersPerAccount>,
>;

/// The highest price anything in the market may have (10^18 units per kWh, a million DAEG):
/// so that every amount settlement computes from a price and a `u64` of Wh fits a `u128`.
pub const MAX_PRICE: PricePerKWh = PricePerKWh(1_000_000_000_000_000_000);

daeg_primitives::stored_type!(
	[Copy, Default]
	/// What the settlement pot took in and paid out since genesis.
	pub struct PotTotals<Balance> {
		/// Put in to fund payments (at genesis and by `fund_market`).
		pub funded: Balance,
		/// Collected from accounts in settlement.
		pub collected: Balance,
		/// Paid to accounts in settlement.
		pub paid: Balance,
	}
);

/// What the benchmarks need from the runtime: meters and facilities to trade with.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// An active meter of `owner`'s in `zone`.
	fn meter(owner: &AccountId, zone: ZoneId) -> MeterId;
	/// A facility of `owner`'s in `zone` that may sell.
	fn selling_facility(owner: &AccountId, zone: ZoneId) -> FacilityId;
}

daeg_primitives::stored_type!(
	[Copy]
	/// The market's price floor and cap.
	pub struct PriceLimits {
		/// No order may be priced below it.
		pub floor: PricePerKWh,
		/// No order may be priced above it.
		pub cap: PricePerKWh,
	}
);

impl PriceLimits {
	/// `price` brought within the floor and cap.
	pub fn bound(&self, price: PricePerKWh) -> PricePerKWh {
		price.max(self.floor).min(self.cap)
	}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use daeg_primitives::{
		balancing::{GridControl, OnCleared},
		consumption::{IntervalRecord, MeterRegistry, MeteredEnergy, PurchaseLedger, Quality},
		pricing::{
			Climate, ImbalancePrices, OrderId, Quarantined, Statement, TariffParameters, Weather,
			WeatherModel, ZoneClearing,
		},
		production::FacilityRegistry,
		DayIndex, IntervalIndex,
	};
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			tokens::{Fortitude, Precision, Preservation},
		},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{traits::Saturating, SaturatedConversion};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the pricing pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The currency bids are held and paid in.
		type Currency: fungible::Inspect<Self::AccountId>
			+ fungible::Mutate<Self::AccountId>
			+ fungible::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons, which include this pallet's.
		type RuntimeHoldReason: From<HoldReason>;

		/// The meter registry (the consumption pallet): bids are delivered at meters.
		type Meters: MeterRegistry<Self::AccountId>;

		/// The facility registry (the production pallet): asks come from facilities.
		type Facilities: FacilityRegistry<Self::AccountId>;

		/// The balancing pallet: the zones' emergency state the auction respects, and the
		/// storage dispatch of each cleared interval, which settlement pays.
		type Balancing: GridControl + OnCleared<Self::AccountId>;

		/// The grid: its zones, the links between them and its clock (the grid pallet).
		type Grid: Grid;

		/// Final metered values (the consumption pallet), for positions its finalization pass
		/// never reported (see [`Config::SettlementDeadline`]).
		type Metered: MeteredEnergy;

		/// Where settled purchases are reported, for carbon footprints.
		type Purchases: PurchaseLedger<Self::AccountId>;

		/// The market's account: settlement collects into its pot and pays from it.
		#[pallet::constant]
		type MarketAccount: Get<Self::AccountId>;

		/// Who sets links and price limits: the grid operators.
		type OperatorOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Who releases quarantined values: a certifier (`Some` of its account: never for its
		/// own meters) or the grid operators (`None`).
		type ReleaseOrigin: EnsureOrigin<Self::RuntimeOrigin, Success = Option<Self::AccountId>>;

		/// The most orders in one interval's book (a multiple of [`PAGE_SIZE`] is best).
		#[pallet::constant]
		type MaxOrdersPerInterval: Get<u32>;

		/// The most orders one account may have in one interval.
		#[pallet::constant]
		type MaxOrdersPerAccount: Get<u32>;

		/// Gate closure: how many intervals before an interval starts its book closes.
		#[pallet::constant]
		type GateClosureIntervals: Get<u32>;

		/// How many intervals beyond gate closure orders may be placed for.
		#[pallet::constant]
		type MaxIntervalsAhead: Get<u32>;

		/// How many intervals after an interval its positions still unsettled (their meter's
		/// value was not final) are settled from what is known (bids as bought, asks as
		/// undelivered); their values turning final later do not settle them again.
		#[pallet::constant]
		type SettlementDeadline: Get<u32>;

		/// How many intervals of clearing results (prices, volumes, tariffs, flows) are kept.
		#[pallet::constant]
		type PriceHistoryIntervals: Get<u32>;

		/// How many days of statements are kept per account.
		#[pallet::constant]
		type StatementDays: Get<u32>;

		/// The most weather oracles governance may appoint.
		#[pallet::constant]
		type MaxWeatherOracles: Get<u32>;

		/// Meters and facilities for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type Helper: BenchmarkHelper<Self::AccountId>;

		/// Weights of this pallet's calls and hook, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// What an order may cost its owner, until it is settled or cancelled: a bid's energy
		/// at its limit price; an ask's energy at the short imbalance price (the collateral for
		/// a shortfall).
		#[codec(index = 0)]
		Order,
		/// The market account's settlement pot.
		#[codec(index = 1)]
		Pot,
	}

	/// The default of [`Limits`]: from zero to 10^15 units per kWh (1,000 DAEG).
	#[pallet::type_value]
	pub fn DefaultLimits() -> PriceLimits {
		PriceLimits { floor: PricePerKWh(0), cap: PricePerKWh(1_000_000_000_000_000) }
	}

	/// The price floor and cap.
	#[pallet::storage]
	pub type Limits<T> = StorageValue<_, PriceLimits, ValueQuery, DefaultLimits>;

	/// Each interval's book, in pages of [`PAGE_SIZE`] orders in order of arrival.
	#[pallet::storage]
	pub type Book<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		IntervalIndex,
		Twox64Concat,
		u32,
		BoundedVec<OrderOf<T>, ConstU32<PAGE_SIZE>>,
	>;

	/// How many orders each interval's book has taken (cancelled ones included).
	#[pallet::storage]
	pub type BookLen<T> = StorageMap<_, Twox64Concat, IntervalIndex, u32, ValueQuery>;

	/// How many live orders each account has in each interval.
	#[pallet::storage]
	pub type OrdersOf<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		IntervalIndex,
		u32,
		ValueQuery,
	>;

	/// The next interval to clear (`None` until the first block sets it to the current one).
	#[pallet::storage]
	pub type NextToClear<T> = StorageValue<_, IntervalIndex>;

	/// Each cleared interval's result per zone.
	#[pallet::storage]
	pub type Clearings<T> =
		StorageDoubleMap<_, Twox64Concat, IntervalIndex, Twox64Concat, ZoneId, ZoneClearing>;

	/// Each cleared interval's net energy over each link (from `a` to `b`; negative: back), in
	/// the order of [`Links`] then.
	#[pallet::storage]
	pub type Flows<T: Config> = StorageMap<
		_,
		Twox64Concat,
		IntervalIndex,
		BoundedVec<(ZoneId, ZoneId, i64), <T::Grid as Grid>::MaxLinks>,
	>;

	/// Each meter's orders in each interval, until they are settled.
	#[pallet::storage]
	pub type Positions<T: Config> =
		StorageDoubleMap<_, Twox64Concat, IntervalIndex, Twox64Concat, MeterId, PositionOf<T>>;

	/// How many positions each interval has left to settle.
	#[pallet::storage]
	pub type Unsettled<T> = StorageMap<_, Twox64Concat, IntervalIndex, u32, ValueQuery>;

	/// Meter intervals held out of settlement because their final value was flagged, with what
	/// the meter traded then, until [`Pallet::release_quarantined`].
	#[pallet::storage]
	pub type Quarantine<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		IntervalIndex,
		Twox64Concat,
		MeterId,
		Quarantined<T::AccountId>,
	>;

	/// Positions settled at [`Config::SettlementDeadline`] before their meter had a final
	/// value: when the value turns final, it does not settle the meter again.
	#[pallet::storage]
	pub type SettledByDeadline<T> =
		StorageDoubleMap<_, Twox64Concat, IntervalIndex, Twox64Concat, MeterId, ()>;

	/// How many intervals each meter has an unsettled position in: a meter with one is not
	/// removed (see [`MarketStanding`](daeg_primitives::pricing::MarketStanding)).
	#[pallet::storage]
	pub type MeterPositions<T> = StorageMap<_, Twox64Concat, MeterId, u32, ValueQuery>;

	/// The next interval whose settlement is awaited; its book is removed once it is settled.
	#[pallet::storage]
	pub type NextToSettle<T> = StorageValue<_, IntervalIndex>;

	/// Each cleared interval's sold energy by source (in [`EnergySource::ALL`]'s order): the
	/// mix buyers are reported to have bought.
	#[pallet::storage]
	pub type Mix<T> = StorageMap<_, Twox64Concat, IntervalIndex, [Energy; 7]>;

	/// How the tariff of consumers who do not bid is built.
	#[pallet::storage]
	pub type Tariff<T> = StorageValue<_, TariffParameters, ValueQuery>;

	/// The prices deviations from traded positions are settled at.
	#[pallet::storage]
	pub type Imbalance<T> = StorageValue<_, ImbalancePrices, ValueQuery>;

	/// The accounts governance appointed to submit weather forecasts.
	#[pallet::storage]
	pub type WeatherOracles<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxWeatherOracles>, ValueQuery>;

	/// Each zone's climate: the weather plausible per season and the largest revision of a
	/// forecast (zones without one: only the Earth's bounds, [`weather::is_plausible`]).
	#[pallet::storage]
	pub type Climates<T> = StorageMap<_, Twox64Concat, ZoneId, Climate>;

	/// How the weather moves each zone's price (zones without one: it does not).
	#[pallet::storage]
	pub type WeatherModels<T> = StorageMap<_, Twox64Concat, ZoneId, WeatherModel>;

	/// Each weather oracle's latest forecast per interval and zone (the forecast that counts
	/// is their median: [`Pallet::agreed_weather`]); kept as long as the interval's results
	/// ([`Config::PriceHistoryIntervals`]).
	#[pallet::storage]
	pub type Forecasts<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		IntervalIndex,
		Twox64Concat,
		ZoneId,
		BoundedVec<(T::AccountId, Weather), T::MaxWeatherOracles>,
		ValueQuery,
	>;

	/// Each account's settlement statement per day: a ring of [`Config::StatementDays`] slots.
	#[pallet::storage]
	pub type Statements<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		u32,
		(DayIndex, Statement),
	>;

	/// What accounts owe the market and could not pay when settled; collected from their next
	/// settlement or by [`Pallet::settle_account`].
	#[pallet::storage]
	pub type Arrears<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, BalanceOf<T>>;

	/// What the market owes accounts and its pot could not pay; paid with their next
	/// settlement or by [`Pallet::settle_account`].
	#[pallet::storage]
	pub type Owed<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, BalanceOf<T>>;

	/// What the pot took in and paid out: it holds exactly `funded + collected − paid`.
	#[pallet::storage]
	pub type Pot<T: Config> = StorageValue<_, PotTotals<BalanceOf<T>>, ValueQuery>;

	/// The market's genesis parameters.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Minted into the settlement pot, so that sellers are paid before buyers' payments
		/// arrive (the market account is created with the existential deposit besides).
		pub pot: BalanceOf<T>,
		/// The tariff's parameters.
		pub tariff: TariffParameters,
		/// The imbalance prices.
		pub imbalance: ImbalancePrices,
		/// The accounts that submit weather forecasts.
		pub weather_oracles: alloc::vec::Vec<T::AccountId>,
		/// How the weather moves each zone's price.
		pub weather_models: alloc::vec::Vec<(ZoneId, WeatherModel)>,
		/// Each zone's climate.
		pub climates: alloc::vec::Vec<(ZoneId, Climate)>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let market = T::MarketAccount::get();
			let ed = T::Currency::minimum_balance();
			assert!(
				T::Currency::mint_into(&market, ed.saturating_add(self.pot)).is_ok(),
				"the market account can be created"
			);
			assert!(
				T::Currency::hold(&HoldReason::Pot.into(), &market, self.pot).is_ok(),
				"the pot can be held"
			);
			Pot::<T>::put(PotTotals { funded: self.pot, ..Default::default() });
			Tariff::<T>::put(self.tariff);
			Imbalance::<T>::put(self.imbalance);
			let oracles = BoundedVec::try_from(self.weather_oracles.clone());
			assert!(oracles.is_ok(), "at most MaxWeatherOracles weather oracles");
			let oracles = oracles.unwrap_or_default();
			assert!(Pallet::<T>::distinct(&oracles), "weather oracles are distinct");
			WeatherOracles::<T>::put(oracles);
			for (zone, climate) in &self.climates {
				assert!(T::Grid::is_zone(*zone), "climates are of the grid's zones");
				assert!(
					weather::is_valid_climate(climate),
					"a climate lies within the Earth's weather"
				);
				Climates::<T>::insert(zone, climate);
			}
			for (zone, model) in &self.weather_models {
				assert!(T::Grid::is_zone(*zone), "weather models are for the grid's zones");
				assert!(weather::is_valid_model(model), "a weather model's wind speeds rise");
				WeatherModels::<T>::insert(zone, model);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An order entered an interval's book.
		OrderPlaced {
			id: OrderId,
			owner: T::AccountId,
			side: Side,
			zone: ZoneId,
			energy: Energy,
			price: PricePerKWh,
		},
		/// An order was cancelled before gate closure; a bid's hold was released.
		OrderCancelled { id: OrderId, owner: T::AccountId },
		/// An interval's book was cleared: `orders` orders, `traded` Wh, in `steps` steps.
		IntervalCleared { interval: IntervalIndex, orders: u32, traded: Energy, steps: u32 },
		/// A zone's result of an interval's auction.
		ZoneCleared { interval: IntervalIndex, zone: ZoneId, result: ZoneClearing },
		/// Storage dispatch entered `interval`'s book as order `id`, filled at the zone's
		/// price (settled against the meter like any fill).
		DispatchEntered { id: OrderId, owner: T::AccountId, side: Side, energy: Energy },
		/// Storage dispatch could not enter `interval`'s book (it is full, or the owner has
		/// as many orders as it may): it is not settled.
		DispatchRefused { interval: IntervalIndex, meter: MeterId, side: Side, energy: Energy },
		/// Governance set the price floor and cap.
		PriceLimitsSet { limits: PriceLimits },
		/// An interval's book was not cleared because the interval had ended by its turn (the
		/// chain was paused): no order of it trades; holds are released at settlement.
		IntervalVoided { interval: IntervalIndex, orders: u32 },
		/// A meter's interval was settled for `who`: what it bought and sold, consumed beyond
		/// that, and its deviations, each with its amount. `quality` is that of the final
		/// value settled against; `None`: the meter had none by the deadline (bids are charged
		/// as bought, asks count as undelivered).
		Settled {
			interval: IntervalIndex,
			meter: MeterId,
			who: T::AccountId,
			line: Statement,
			quality: Option<Quality>,
		},
		/// Money moved in settlement: `collected` from `who` into the pot or `paid` to it;
		/// `arrears` it still owes, `owed` the pot still owes it.
		Payment {
			who: T::AccountId,
			collected: BalanceOf<T>,
			paid: BalanceOf<T>,
			arrears: BalanceOf<T>,
			owed: BalanceOf<T>,
		},
		/// Settlement could not price a position or value (its orders or meter are gone, or an
		/// amount does not fit): nothing was paid or charged for it, `released` of the owner's
		/// order hold was released. The operators should look into it.
		SettlementFailed {
			interval: IntervalIndex,
			meter: MeterId,
			who: T::AccountId,
			released: BalanceOf<T>,
		},
		/// `meter`'s final value `record` in `interval` was flagged: its settlement is held
		/// (what its orders hold stays held) until a certifier or the operators release it.
		ValueQuarantined {
			interval: IntervalIndex,
			meter: MeterId,
			who: T::AccountId,
			record: IntervalRecord,
		},
		/// A quarantined value was released and settled: as it was, or `corrected`
		/// (imported, exported).
		QuarantineReleased {
			interval: IntervalIndex,
			meter: MeterId,
			corrected: Option<(Energy, Energy)>,
		},
		/// Every position of an interval is settled; its book is removed.
		IntervalSettled { interval: IntervalIndex },
		/// Governance set the tariff's parameters.
		TariffSet { tariff: TariffParameters },
		/// Governance set the imbalance prices.
		ImbalancePricesSet { prices: ImbalancePrices },
		/// `who` put `amount` into the settlement pot.
		PotFunded { who: T::AccountId, amount: BalanceOf<T> },
		/// Governance appointed the weather oracles (replacing those before).
		WeatherOraclesSet { oracles: BoundedVec<T::AccountId, T::MaxWeatherOracles> },
		/// Governance set `zone`'s climate (`None`: only the Earth's bounds apply).
		ClimateSet { zone: ZoneId, climate: Option<Climate> },
		/// Governance set how the weather moves `zone`'s price (`None`: it no longer does).
		WeatherModelSet { zone: ZoneId, model: Option<WeatherModel> },
		/// `oracle` forecast `zone`'s weather for `intervals` intervals from `from`.
		ForecastSubmitted {
			oracle: T::AccountId,
			zone: ZoneId,
			from: IntervalIndex,
			intervals: u32,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The interval's gate has closed (or it is past).
		GateClosed,
		/// The interval is further ahead than orders are taken.
		TooFarAhead,
		/// An order must have energy.
		ZeroEnergy,
		/// The price is below the floor or above the cap.
		PriceOutOfRange,
		/// No meter has this id.
		UnknownMeter,
		/// The meter belongs to someone else.
		NotMeterOwner,
		/// The meter is not active.
		MeterInactive,
		/// No facility has this id.
		UnknownFacility,
		/// The facility belongs to someone else.
		NotFacilityOwner,
		/// The facility may not sell then (not certified, suspended, or under maintenance).
		MayNotSell,
		/// The interval's book is full.
		BookFull,
		/// The account has as many orders in the interval as it may.
		TooManyOrders,
		/// The bid's most cost does not fit the chain's numbers.
		CostOverflow,
		/// The account cannot cover the order's hold (a bid's most cost, an ask's collateral).
		InsufficientBalance,
		/// The account owes the market arrears: it places no order until it has paid them.
		InArrears,
		/// The facility's asks in the interval would offer more than its capacity generates
		/// in an interval.
		AboveCapacity,
		/// No order has this id.
		UnknownOrder,
		/// Only the order's owner may cancel it.
		NotOrderOwner,
		/// The order was cancelled already.
		AlreadyCancelled,
		/// The floor is above the cap.
		BadLimits,
		/// The grid has no such zone.
		UnknownZone,
		/// A price is above [`MAX_PRICE`].
		PriceTooHigh,
		/// The long imbalance price is above the short one.
		BadImbalancePrices,
		/// Bids need a meter that measures consumption.
		MeterCannotImport,
		/// The meter already has orders of another account in the interval.
		MeterTradedByOther,
		/// The account has neither arrears nor anything owed.
		NothingToSettle,
		/// The amount is zero.
		ZeroAmount,
		/// The account cannot pay the amount.
		CannotFund,
		/// Only the weather oracles submit forecasts.
		NotWeatherOracle,
		/// An account is appointed weather oracle twice.
		DuplicateOracle,
		/// A forecast value lies outside the zone's climate for its season.
		OutOfSeason,
		/// A forecast moves further from the oracle's previous forecast of the interval than
		/// the zone's climate allows.
		ForecastLeap,
		/// A climate's range lies beyond the Earth's weather, or its coldest temperature lies
		/// above its hottest.
		BadClimate,
		/// A forecast must cover at least one interval.
		EmptyForecast,
		/// A forecast value is beyond what the Earth's weather takes (a unit mistake?).
		ImplausibleWeather,
		/// A weather model's wind speeds do not rise, or heating starts above cooling.
		BadWeatherModel,
		/// The meter's interval is not quarantined.
		NotQuarantined,
		/// A certifier may not act on its own meters and facilities.
		OwnAsset,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Clears the next interval whose gate has closed (at most one per block).
		fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
			Self::clear_due()
		}

		/// A full book must clear within a tenth of a block, so that one block always clears
		/// one whole book and leaves normal transactions their share; settlement needs a
		/// statement slot and a deadline.
		fn integrity_test() {
			let max = T::MaxOrdersPerInterval::get();
			let pages = max.div_ceil(PAGE_SIZE);
			let clearing = Self::clearing_weight(max, pages, <T::Grid as Grid>::MaxZones::get());
			let block = <T as frame_system::Config>::BlockWeights::get().max_block;
			assert!(
				clearing.ref_time() <= block.ref_time() / 10,
				"a full book must clear within 10 % of a block: lower MaxOrdersPerInterval"
			);
			assert!(T::StatementDays::get() > 0, "statements need a slot");
			assert!(T::SettlementDeadline::get() > 0, "settlement needs a deadline");
		}

		/// Settles positions past [`Config::SettlementDeadline`] and removes the books of
		/// settled intervals, within what the block has left.
		fn on_idle(_n: BlockNumberFor<T>, limit: Weight) -> Weight {
			Self::settle_due(limit)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Bids for `energy` at most at `price` per kWh in `interval`, delivered at `meter`
		/// (one of the caller's active meters), and holds its most cost.
		///
		/// Emits [`Event::OrderPlaced`].
		#[pallet::call_index(0)]
		#[pallet::weight(<T as Config>::WeightInfo::place_bid())]
		pub fn place_bid(
			origin: OriginFor<T>,
			meter: MeterId,
			interval: IntervalIndex,
			energy: Energy,
			price: PricePerKWh,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::ensure_open(&owner, interval, energy, price)?;
			let m = T::Meters::meter(meter).ok_or(Error::<T>::UnknownMeter)?;
			ensure!(m.owner == owner, Error::<T>::NotMeterOwner);
			ensure!(m.is_active(), Error::<T>::MeterInactive);
			ensure!(m.kind.measures_import(), Error::<T>::MeterCannotImport);
			let cost = price
				.cost_of(energy, daeg_primitives::Rounding::Up)
				.ok_or(Error::<T>::CostOverflow)?;
			let held: BalanceOf<T> = cost.saturated_into();
			let order = Order {
				owner: owner.clone(),
				origin: Origin::Meter(meter),
				meter,
				zone: m.zone,
				energy,
				price,
				held,
				filled: Energy::ZERO,
			};
			let id = Self::insert(interval, order, None)?;
			T::Currency::hold(&HoldReason::Order.into(), &owner, held)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			Self::deposit_event(Event::OrderPlaced {
				id,
				owner,
				side: Side::Buy,
				zone: m.zone,
				energy,
				price,
			});
			Ok(())
		}

		/// Offers `energy` at least at `price` per kWh in `interval` from `facility`, one of
		/// the caller's facilities that may sell then (certified, not suspended, not under
		/// maintenance: storage too). The facility's asks in the interval offer at most what
		/// its capacity generates in an interval, and each holds its energy at the short
		/// imbalance price as collateral for a shortfall until it is settled or cancelled.
		///
		/// Emits [`Event::OrderPlaced`].
		#[pallet::call_index(1)]
		#[pallet::weight(<T as Config>::WeightInfo::place_ask())]
		pub fn place_ask(
			origin: OriginFor<T>,
			facility: FacilityId,
			interval: IntervalIndex,
			energy: Energy,
			price: PricePerKWh,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::ensure_open(&owner, interval, energy, price)?;
			let f = T::Facilities::facility(facility).ok_or(Error::<T>::UnknownFacility)?;
			ensure!(f.owner == owner, Error::<T>::NotFacilityOwner);
			let length = T::Grid::interval_length_ms();
			let start = interval.start_ms(length).unwrap_or(u64::MAX);
			ensure!(T::Facilities::may_sell(facility, start), Error::<T>::MayNotSell);
			let capacity = f.capacity.energy_over(length).unwrap_or(Energy(u64::MAX));
			let collateral = Imbalance::<T>::get()
				.short
				.cost_of(energy, daeg_primitives::Rounding::Up)
				.ok_or(Error::<T>::CostOverflow)?;
			let held: BalanceOf<T> = collateral.saturated_into();
			let order = Order {
				owner: owner.clone(),
				origin: Origin::Facility(facility, f.source),
				meter: f.meter,
				zone: f.zone,
				energy,
				price,
				held,
				filled: Energy::ZERO,
			};
			let id = Self::insert(interval, order, Some(capacity))?;
			T::Currency::hold(&HoldReason::Order.into(), &owner, held)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			Self::deposit_event(Event::OrderPlaced {
				id,
				owner,
				side: Side::Sell,
				zone: f.zone,
				energy,
				price,
			});
			Ok(())
		}

		/// Cancels one of the caller's orders before its interval's gate closes, releasing its
		/// hold.
		///
		/// Emits [`Event::OrderCancelled`].
		#[pallet::call_index(2)]
		#[pallet::weight(<T as Config>::WeightInfo::cancel_order())]
		pub fn cancel_order(origin: OriginFor<T>, id: OrderId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(Self::is_open(id.interval), Error::<T>::GateClosed);
			let (page, index) = Self::page_of(id.slot);
			let (held, meter, offered) = Book::<T>::try_mutate(id.interval, page, |orders| {
				let order = orders
					.as_mut()
					.and_then(|o| o.get_mut(index))
					.ok_or(Error::<T>::UnknownOrder)?;
				ensure!(order.owner == who, Error::<T>::NotOrderOwner);
				ensure!(!order.energy.is_zero(), Error::<T>::AlreadyCancelled);
				let energy = core::mem::take(&mut order.energy);
				let offered = if order.side() == Side::Sell { energy } else { Energy::ZERO };
				Ok::<_, DispatchError>((core::mem::take(&mut order.held), order.meter, offered))
			})?;
			Positions::<T>::mutate_exists(id.interval, meter, |entry| {
				if let Some(position) = entry {
					position.slots.retain(|s| *s != id.slot);
					position.offered = position.offered.saturating_sub(offered);
					position.held = position.held.saturating_sub(held);
					if position.slots.is_empty() {
						*entry = None;
						Unsettled::<T>::mutate(id.interval, |n| *n = n.saturating_sub(1));
						Self::position_closed(meter);
					}
				}
			});
			T::Currency::release(&HoldReason::Order.into(), &who, held, Precision::BestEffort)?;
			OrdersOf::<T>::mutate_exists(&who, id.interval, |n| {
				*n = n.and_then(|n| n.checked_sub(1)).filter(|n| *n > 0)
			});
			Self::deposit_event(Event::OrderCancelled { id, owner: who });
			Ok(())
		}

		/// Sets the price floor and cap (orders already placed keep their prices).
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::PriceLimitsSet`].
		#[pallet::call_index(4)]
		#[pallet::weight(<T as Config>::WeightInfo::set_price_limits())]
		pub fn set_price_limits(origin: OriginFor<T>, limits: PriceLimits) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			ensure!(limits.floor <= limits.cap, Error::<T>::BadLimits);
			ensure!(limits.cap <= MAX_PRICE, Error::<T>::PriceTooHigh);
			Limits::<T>::put(limits);
			Self::deposit_event(Event::PriceLimitsSet { limits });
			Ok(())
		}

		/// Sets how the tariff of consumers who do not bid is built, from the next interval
		/// cleared on (see [`TariffParameters`]).
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::TariffSet`].
		#[pallet::call_index(5)]
		#[pallet::weight(<T as Config>::WeightInfo::set_tariff())]
		pub fn set_tariff(origin: OriginFor<T>, tariff: TariffParameters) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			let prices = [tariff.reference, tariff.congestion, tariff.scarcity];
			ensure!(
				prices.iter().chain(tariff.grid_fees.iter()).all(|p| *p <= MAX_PRICE),
				Error::<T>::PriceTooHigh
			);
			Tariff::<T>::put(tariff);
			Self::deposit_event(Event::TariffSet { tariff });
			Ok(())
		}

		/// Sets the prices deviations are settled at, for intervals settled from now on.
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::ImbalancePricesSet`].
		#[pallet::call_index(6)]
		#[pallet::weight(<T as Config>::WeightInfo::set_imbalance_prices())]
		pub fn set_imbalance_prices(
			origin: OriginFor<T>,
			prices: ImbalancePrices,
		) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			ensure!(prices.short <= MAX_PRICE, Error::<T>::PriceTooHigh);
			ensure!(prices.long <= prices.short, Error::<T>::BadImbalancePrices);
			Imbalance::<T>::put(prices);
			Self::deposit_event(Event::ImbalancePricesSet { prices });
			Ok(())
		}

		/// Puts `amount` of the caller's into the settlement pot (which pays sellers before
		/// buyers' payments arrive, and deviations the grid takes).
		///
		/// Emits [`Event::PotFunded`].
		#[pallet::call_index(7)]
		#[pallet::weight(<T as Config>::WeightInfo::fund_pot())]
		pub fn fund_pot(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			T::Currency::transfer_and_hold(
				&HoldReason::Pot.into(),
				&who,
				&T::MarketAccount::get(),
				amount,
				Precision::Exact,
				Preservation::Preserve,
				Fortitude::Polite,
			)
			.map_err(|_| Error::<T>::CannotFund)?;
			Pot::<T>::mutate(|p| p.funded = p.funded.saturating_add(amount));
			Self::deposit_event(Event::PotFunded { who, amount });
			Ok(())
		}

		/// Pays the caller what the pot owes it, or collects its arrears, as far as the pot
		/// and its balance allow now (settlement does the same with every later interval).
		///
		/// Emits [`Event::Payment`].
		#[pallet::call_index(8)]
		#[pallet::weight(<T as Config>::WeightInfo::settle_account())]
		pub fn settle_account(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(
				Arrears::<T>::contains_key(&who) || Owed::<T>::contains_key(&who),
				Error::<T>::NothingToSettle
			);
			Self::pay(&who, Zero::zero(), 0, 0);
			Ok(())
		}

		/// Appoints the accounts that submit weather forecasts (none: nobody), replacing those
		/// before. The forecast that counts is the median of theirs, once more than half of
		/// them have forecast an interval; forecasts of oracles no longer appointed no longer
		/// count.
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::WeatherOraclesSet`].
		#[pallet::call_index(9)]
		#[pallet::weight(<T as Config>::WeightInfo::set_weather_oracles())]
		pub fn set_weather_oracles(
			origin: OriginFor<T>,
			oracles: BoundedVec<T::AccountId, T::MaxWeatherOracles>,
		) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			ensure!(Self::distinct(&oracles), Error::<T>::DuplicateOracle);
			WeatherOracles::<T>::put(&oracles);
			Self::deposit_event(Event::WeatherOraclesSet { oracles });
			Ok(())
		}

		/// Sets `zone`'s climate (`None`: only the Earth's bounds apply), for forecasts
		/// submitted from now on.
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::ClimateSet`].
		#[pallet::call_index(13)]
		#[pallet::weight(<T as Config>::WeightInfo::set_climate())]
		pub fn set_climate(
			origin: OriginFor<T>,
			zone: ZoneId,
			climate: Option<Climate>,
		) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			ensure!(T::Grid::is_zone(zone), Error::<T>::UnknownZone);
			ensure!(climate.as_ref().is_none_or(weather::is_valid_climate), Error::<T>::BadClimate);
			Climates::<T>::set(zone, climate);
			Self::deposit_event(Event::ClimateSet { zone, climate });
			Ok(())
		}

		/// Sets how the weather moves `zone`'s price (`None`: it no longer does), for prices
		/// computed from now on.
		///
		/// Origin: [`Config::OperatorOrigin`]. Emits [`Event::WeatherModelSet`].
		#[pallet::call_index(10)]
		#[pallet::weight(<T as Config>::WeightInfo::set_weather_model())]
		pub fn set_weather_model(
			origin: OriginFor<T>,
			zone: ZoneId,
			model: Option<WeatherModel>,
		) -> DispatchResult {
			T::OperatorOrigin::ensure_origin(origin)?;
			ensure!(T::Grid::is_zone(zone), Error::<T>::UnknownZone);
			if let Some(m) = &model {
				ensure!(weather::is_valid_model(m), Error::<T>::BadWeatherModel);
				let prices = [m.solar, m.wind, m.heating, m.cooling];
				ensure!(prices.iter().all(|p| *p <= MAX_PRICE), Error::<T>::PriceTooHigh);
			}
			WeatherModels::<T>::set(zone, model);
			Self::deposit_event(Event::WeatherModelSet { zone, model });
			Ok(())
		}

		/// Submits the caller's forecast of `zone`'s weather for the intervals from `from` on,
		/// one value per interval, replacing its earlier forecasts of them. Every interval must
		/// still take orders; every value must lie within the Earth's weather and the zone's
		/// climate for the interval's season, and within the climate's largest revision of the
		/// caller's previous forecast of the interval.
		///
		/// Origin: one of the [`WeatherOracles`]. Emits [`Event::ForecastSubmitted`].
		///
		/// ## Complexity
		/// - O(n × m), n the intervals forecast (at most [`Config::MaxIntervalsAhead`]) and m
		///   the oracles (at most [`Config::MaxWeatherOracles`]).
		#[pallet::call_index(11)]
		#[pallet::weight(<T as Config>::WeightInfo::submit_forecast(forecast.len() as u32))]
		pub fn submit_forecast(
			origin: OriginFor<T>,
			zone: ZoneId,
			from: IntervalIndex,
			forecast: BoundedVec<Weather, T::MaxIntervalsAhead>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let oracles = WeatherOracles::<T>::get();
			ensure!(oracles.contains(&who), Error::<T>::NotWeatherOracle);
			ensure!(T::Grid::is_zone(zone), Error::<T>::UnknownZone);
			let intervals = u32::try_from(forecast.len()).unwrap_or(u32::MAX);
			let last = intervals.checked_sub(1).ok_or(Error::<T>::EmptyForecast)?;
			Self::ensure_tradable(from)?;
			Self::ensure_tradable(from.checked_add(last).ok_or(Error::<T>::TooFarAhead)?)?;
			ensure!(forecast.iter().all(weather::is_plausible), Error::<T>::ImplausibleWeather);
			let climate = Climates::<T>::get(zone);
			let length = T::Grid::interval_length_ms();
			for (k, weather) in (from.0..).map(IntervalIndex).zip(forecast) {
				let mut forecasts = Forecasts::<T>::get(k, zone);
				// Forecasts of oracles no longer appointed make room.
				forecasts.retain(|(oracle, _)| oracles.contains(oracle));
				let previous = forecasts.iter_mut().find(|(oracle, _)| *oracle == who);
				if let Some(climate) = &climate {
					let month = k.day(length).map_or(1, |d| d.date().1);
					ensure!(weather::in_season(climate, month, &weather), Error::<T>::OutOfSeason);
					ensure!(
						previous.as_ref().is_none_or(|(_, p)| weather::is_revision(
							&climate.max_change,
							p,
							&weather
						)),
						Error::<T>::ForecastLeap
					);
				}
				match previous {
					Some((_, value)) => *value = weather,
					// Every appointed oracle has room (a refused call changes nothing).
					None => forecasts
						.try_push((who.clone(), weather))
						.map_err(|_| Error::<T>::NotWeatherOracle)?,
				}
				Forecasts::<T>::insert(k, zone, forecasts);
			}
			Self::deposit_event(Event::ForecastSubmitted { oracle: who, zone, from, intervals });
			Ok(())
		}

		/// Releases `meter`'s quarantined value in `interval` and settles it: as it was, or with
		/// `corrected` (imported, exported) in its place after the meter was checked. Export is
		/// still paid only up to what the connection carries and only if measured.
		///
		/// Origin: [`Config::ReleaseOrigin`]: a certifier (never for its own meter) or the grid
		/// operators. Emits [`Event::QuarantineReleased`] and the settlement's events.
		#[pallet::call_index(12)]
		#[pallet::weight(Pallet::<T>::release_weight())]
		pub fn release_quarantined(
			origin: OriginFor<T>,
			interval: IntervalIndex,
			meter: MeterId,
			corrected: Option<(Energy, Energy)>,
		) -> DispatchResult {
			let releaser = T::ReleaseOrigin::ensure_origin(origin)?;
			let held = Quarantine::<T>::get(interval, meter).ok_or(Error::<T>::NotQuarantined)?;
			ensure!(releaser.as_ref() != Some(&held.owner), Error::<T>::OwnAsset);
			Quarantine::<T>::remove(interval, meter);
			Self::release(interval, meter, held, corrected);
			Self::deposit_event(Event::QuarantineReleased { interval, meter, corrected });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The weight of [`Pallet::release_quarantined`]: its benchmark, and the purchases
		/// reported (as in [`Self::settle_weight`]).
		pub(crate) fn release_weight() -> Weight {
			<T as Config>::WeightInfo::release_quarantined()
				.saturating_add(Self::purchases_weight())
		}

		/// Whether orders for `interval` are still taken: its gate has not closed.
		pub fn is_open(interval: IntervalIndex) -> bool {
			let current = T::Grid::current_interval();
			interval.since(current).is_some_and(|d| d > T::GateClosureIntervals::get())
		}

		/// Fails unless `interval` takes orders (and forecasts) now: its gate has not closed
		/// and it is at most [`Config::MaxIntervalsAhead`] beyond.
		fn ensure_tradable(interval: IntervalIndex) -> DispatchResult {
			ensure!(Self::is_open(interval), Error::<T>::GateClosed);
			let ahead = interval.since(T::Grid::current_interval()).unwrap_or(0);
			let most = T::GateClosureIntervals::get().saturating_add(T::MaxIntervalsAhead::get());
			ensure!(ahead <= most, Error::<T>::TooFarAhead);
			Ok(())
		}

		/// Fails unless `owner` may place an order for `interval` of `energy` at `price` now:
		/// among others, an account in arrears places none.
		fn ensure_open(
			owner: &T::AccountId,
			interval: IntervalIndex,
			energy: Energy,
			price: PricePerKWh,
		) -> DispatchResult {
			Self::ensure_tradable(interval)?;
			ensure!(!Arrears::<T>::contains_key(owner), Error::<T>::InArrears);
			ensure!(!energy.is_zero(), Error::<T>::ZeroEnergy);
			let limits = Limits::<T>::get();
			ensure!(limits.floor <= price && price <= limits.cap, Error::<T>::PriceOutOfRange);
			Ok(())
		}

		/// Whether no account appears twice in `accounts`.
		pub(crate) fn distinct(accounts: &[T::AccountId]) -> bool {
			accounts.iter().enumerate().all(|(k, a)| !accounts.iter().skip(k + 1).any(|b| a == b))
		}

		/// The weather the oracles agree on for `zone` in `interval`: the median of the
		/// appointed oracles' forecasts ([`weather::median`]), once more than half of them
		/// have forecast it, so that no minority of oracles sets or moves it.
		pub fn agreed_weather(interval: IntervalIndex, zone: ZoneId) -> Option<Weather> {
			let oracles = WeatherOracles::<T>::get();
			let values: alloc::vec::Vec<Weather> = Forecasts::<T>::get(interval, zone)
				.into_iter()
				.filter(|(oracle, _)| oracles.contains(oracle))
				.map(|(_, weather)| weather)
				.collect();
			(values.len() > oracles.len() / 2).then(|| weather::median(&values)).flatten()
		}

		/// The page and index within it of book slot `slot`.
		pub(crate) fn page_of(slot: u32) -> (u32, usize) {
			let index = slot.checked_rem(PAGE_SIZE).unwrap_or(0);
			(slot.checked_div(PAGE_SIZE).unwrap_or(0), index as usize)
		}

		/// Adds `order` to `interval`'s book, counting it for its owner; an ask only while its
		/// meter's asks in the interval offer at most `capacity` with it.
		pub(crate) fn insert(
			interval: IntervalIndex,
			order: OrderOf<T>,
			capacity: Option<Energy>,
		) -> Result<OrderId, DispatchError> {
			let slot = BookLen::<T>::get(interval);
			ensure!(slot < T::MaxOrdersPerInterval::get(), Error::<T>::BookFull);
			OrdersOf::<T>::try_mutate(&order.owner, interval, |n| {
				ensure!(*n < T::MaxOrdersPerAccount::get(), Error::<T>::TooManyOrders);
				*n = n.saturating_add(1);
				Ok::<_, DispatchError>(())
			})?;
			Positions::<T>::try_mutate(interval, order.meter, |entry| {
				let position = match entry {
					Some(p) => p,
					None => {
						Unsettled::<T>::mutate(interval, |n| *n = n.saturating_add(1));
						MeterPositions::<T>::mutate(order.meter, |n| *n = n.saturating_add(1));
						entry.insert(Position {
							owner: order.owner.clone(),
							slots: Default::default(),
							offered: Energy::ZERO,
							held: Zero::zero(),
						})
					}
				};
				ensure!(position.owner == order.owner, Error::<T>::MeterTradedByOther);
				if order.side() == Side::Sell {
					position.offered = position.offered.saturating_add(order.energy);
				}
				ensure!(
					capacity.is_none_or(|most| position.offered <= most),
					Error::<T>::AboveCapacity
				);
				position.slots.try_push(slot).map_err(|_| Error::<T>::TooManyOrders)?;
				position.held = position.held.saturating_add(order.held);
				Ok::<_, DispatchError>(())
			})?;
			let (page, _) = Self::page_of(slot);
			// Appended without decoding the page: an order costs the same on a full page.
			Book::<T>::try_append(interval, page, order).map_err(|_| Error::<T>::BookFull)?;
			BookLen::<T>::insert(interval, slot.saturating_add(1));
			Ok(OrderId { interval, slot })
		}

		/// One of `meter`'s positions was settled or cancelled.
		pub(crate) fn position_closed(meter: MeterId) {
			MeterPositions::<T>::mutate_exists(meter, |n| {
				*n = n.and_then(|n| n.checked_sub(1)).filter(|n| *n > 0)
			});
		}

		/// Checks the market's invariants: weather models are valid; the interval length divides an
		/// hour; every book's pages hold exactly its length of orders; each account's live orders are
		/// counted; each interval's unsettled positions are counted and name live orders of their
		/// owner at their meter, offer their asks' energy and are counted per meter; each order awaiting
		/// settlement is covered by what its owner has on
		/// hold; and the pot holds exactly what was funded and collected less what was paid, so that
		/// settlement creates and destroys no money.
		#[cfg(any(feature = "try-runtime", feature = "std", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			use frame_support::traits::fungible::InspectHold;

			ensure!(
				WeatherModels::<T>::iter_values().all(|m| weather::is_valid_model(&m)),
				"weather models' wind speeds rise"
			);
			ensure!(
				Climates::<T>::iter_values().all(|c| weather::is_valid_climate(&c)),
				"climates lie within the Earth's weather"
			);
			ensure!(Self::distinct(&WeatherOracles::<T>::get()), "weather oracles are distinct");
			ensure!(
				Forecasts::<T>::iter_values().all(|f| {
					let oracles: alloc::vec::Vec<_> = f.into_iter().map(|(o, _)| o).collect();
					Self::distinct(&oracles)
				}),
				"one forecast per oracle, interval and zone"
			);
			let mut live: BTreeMap<(T::AccountId, IntervalIndex), u32> = BTreeMap::new();
			let mut held: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
			let mut positions = 0usize;
			let mut meter_positions: BTreeMap<MeterId, u32> = BTreeMap::new();
			for (interval, len) in BookLen::<T>::iter() {
				let mut count = 0u32;
				let mut orders_at: BTreeMap<u32, OrderOf<T>> = BTreeMap::new();
				for (page, orders) in Book::<T>::iter_prefix(interval) {
					count = count.saturating_add(orders.len() as u32);
					for (i, o) in orders.iter().enumerate() {
						ensure!(
							o.filled <= o.energy || o.energy.is_zero(),
							"an order filled beyond its energy"
						);
						let slot = page.saturating_mul(PAGE_SIZE).saturating_add(i as u32);
						orders_at.insert(slot, o.clone());
					}
				}
				ensure!(count == len, "a book's pages and length differ");
				let mut unsettled = 0u32;
				for (meter, position) in Positions::<T>::iter_prefix(interval) {
					let Position { owner, slots, offered, held: position_held } = position;
					unsettled = unsettled.saturating_add(1);
					ensure!(!slots.is_empty(), "an empty position is kept");
					let n = meter_positions.entry(meter).or_default();
					*n = n.saturating_add(1);
					let mut asked = Energy::ZERO;
					for slot in slots.iter() {
						let o = orders_at.get(slot).ok_or("a position names no order")?;
						ensure!(
							o.owner == owner && o.meter == meter && !o.energy.is_zero(),
							"a position names another's, another meter's or a cancelled order"
						);
						if o.side() == Side::Sell {
							asked = asked.saturating_add(o.energy);
						}
						let n = live.entry((owner.clone(), interval)).or_default();
						*n = n.saturating_add(1);
						let h = held.entry(owner.clone()).or_default();
						*h = h.saturating_add(o.held);
					}
					ensure!(asked == offered, "a position's offer is not its live asks' energy");
					let orders_hold = slots
						.iter()
						.filter_map(|s| orders_at.get(s))
						.fold(BalanceOf::<T>::zero(), |h, o| h.saturating_add(o.held));
					ensure!(orders_hold == position_held, "a position's hold is not its orders'");
				}
				positions = positions.saturating_add(unsettled as usize);
				ensure!(
					Unsettled::<T>::get(interval) == unsettled,
					"an interval's unsettled positions are miscounted"
				);
			}
			ensure!(Positions::<T>::iter().count() == positions, "a position outlives its book");
			ensure!(
				MeterPositions::<T>::iter().collect::<BTreeMap<_, _>>() == meter_positions,
				"a meter's positions are miscounted"
			);
			for (who, interval, n) in OrdersOf::<T>::iter() {
				ensure!(
					live.get(&(who, interval)) == Some(&n),
					"an account's order count is wrong"
				);
			}
			ensure!(
				live.len() == OrdersOf::<T>::iter().count(),
				"live orders of an account are not counted"
			);
			for (_, _, q) in Quarantine::<T>::iter() {
				let h = held.entry(q.owner).or_default();
				*h = h.saturating_add(q.held.saturated_into());
			}
			for (who, h) in held {
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::Order.into(), &who) >= h,
					"a bidder's hold does not cover their bids"
				);
			}
			let pot = Pot::<T>::get();
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::Pot.into(), &T::MarketAccount::get())
					== pot.funded.saturating_add(pot.collected).saturating_sub(pot.paid),
				"the pot does not hold what was funded and collected less what was paid"
			);
			Ok(())
		}
	}
}
