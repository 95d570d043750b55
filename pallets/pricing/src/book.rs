//! Clearing an interval's book in `on_initialize`: load its pages, run [`crate::clearing`],
//! write each order's fill back, each zone's result (with its tariff), the links' flows and
//! the mix of sources sold.

use crate::{
	clearing::{self, Link, Offer},
	pallet::{
		Book, BookLen, Clearings, Config, Event, Flows, Limits, Mix, NextToClear, NextToSettle,
		Pallet,
	},
	Order, Origin, WeightInfo,
};
use alloc::vec::Vec;
use daeg_primitives::{
	balancing::{GridControl, LinkFlow, OnCleared, ZoneMarket},
	pricing::{Side, ZoneClearing},
	Energy, EnergySource, Grid, GridClock, IntervalIndex, PricePerKWh, ZoneId,
};
use frame_support::{storage::with_storage_layer, traits::Get, weights::Weight, BoundedVec};
use sp_runtime::Perbill;

/// How many empty intervals one block may pass over (after a pause of the chain).
const MAX_EMPTY_PER_BLOCK: u32 = 16;

impl<T: Config> Pallet<T> {
	/// Clears the next interval whose gate has closed, passing over empty ones: at most one
	/// book cleared per block. Returns the weight used.
	pub(crate) fn clear_due() -> Weight {
		let db = T::DbWeight::get();
		let current = T::Grid::current_interval();
		let gate = T::GateClosureIntervals::get();
		let Some(mut next) = NextToClear::<T>::get() else {
			// Grid time starts with the first block's timestamp (`on_initialize` sees the
			// previous block's); from then on, books can only be for intervals still open.
			if T::Grid::now_ms() > 0 {
				NextToClear::<T>::put(current);
				NextToSettle::<T>::put(current);
			}
			return db.reads_writes(3, 2);
		};
		let mut used = db.reads_writes(3, 1);
		for _ in 0..MAX_EMPTY_PER_BLOCK {
			// Interval `next` closes at the start of `next - gate`.
			if next.0.saturating_sub(gate) > current.0 {
				break;
			}
			let orders = BookLen::<T>::get(next);
			used = used.saturating_add(db.reads(1));
			let cleared = next;
			next = IntervalIndex(next.0.saturating_add(1));
			if orders > 0 && cleared < current {
				// Delivery is over: trading it now would be trading in hindsight.
				Self::deposit_event(Event::IntervalVoided { interval: cleared, orders });
				used = used.saturating_add(db.writes(1));
				continue;
			}
			if orders > 0 {
				let (pages, zones) = Self::clear_interval(cleared);
				used = used.saturating_add(Self::clearing_weight(orders, pages, zones));
				break;
			}
		}
		NextToClear::<T>::put(next);
		used
	}

	/// What clearing a book of `orders` orders in `pages` pages over `zones` zones weighs.
	/// The benchmark's model rounds the per-order share of a page's read and write (one in
	/// [`PAGE_SIZE`](crate::PAGE_SIZE)) to zero, and its books set every zone's price: pages,
	/// zone results and the weather a zone without a price reads for its tariff are charged
	/// here.
	pub(crate) fn clearing_weight(orders: u32, pages: u32, zones: u32) -> Weight {
		let db = T::DbWeight::get();
		// Per zone: its result, the weather, and the emergency state (auction and tariff).
		let reads = pages.saturating_add(zones.saturating_mul(4));
		// Per dispatch: the weather's price, and entering it as an order.
		let dispatch = db.reads_writes(8, 5).saturating_mul(T::Balancing::max_dispatches().into());
		<T as Config>::WeightInfo::clear_interval(orders)
			.saturating_add(db.reads_writes(reads.into(), pages.saturating_add(zones).into()))
			.saturating_add(T::Balancing::weight())
			.saturating_add(dispatch)
	}

	/// Clears `interval`'s book, then enters the balancing pallet's storage dispatch for it.
	/// Returns the pages and the zones it wrote.
	pub(crate) fn clear_interval(interval: IntervalIndex) -> (u32, u32) {
		let Auction { mut pages, zones, bid_at, ask_at, clearing, mut results, flows, links } =
			Self::auction(interval);

		// Fills back into the pages; the mix of sources sold.
		let mut mix = [Energy::ZERO; 7];
		for (at, fills) in [(&bid_at, &clearing.bids), (&ask_at, &clearing.asks)] {
			for (&(p, i), &fill) in at.iter().zip(fills.iter()) {
				let Some(order) = pages.get_mut(p).and_then(|(_, o)| o.get_mut(i)) else {
					continue;
				};
				order.filled = Energy(fill);
				if let Origin::Facility(_, source) = order.origin {
					add_to_mix(&mut mix, source, Energy(fill));
				}
			}
		}
		let traded = results.iter().fold(Energy::ZERO, |t, r| t.saturating_add(r.bought));

		let written = u32::try_from(pages.len()).unwrap_or(u32::MAX);
		for (page, orders) in pages {
			Book::<T>::insert(interval, page, orders);
		}
		let cleared: Vec<(ZoneId, ZoneClearing)> =
			zones.iter().copied().zip(results.iter().copied()).collect();
		for d in T::Balancing::on_cleared(interval, &cleared, &links, Limits::<T>::get().cap) {
			let Some(result) = zones.binary_search(&d.zone).ok().and_then(|z| results.get_mut(z))
			else {
				continue;
			};
			// A zone the auction set no price gets the weather's: dispatch is paid at it.
			let price =
				*result.price.get_or_insert_with(|| Self::forecast_price(interval, d.zone).price);
			let origin = Origin::Dispatched(d.side);
			let order = Order {
				owner: d.owner.clone(),
				origin,
				meter: d.meter,
				zone: d.zone,
				energy: d.energy,
				price,
				held: Default::default(),
				filled: d.energy,
			};
			// A layer of its own: a refused insert must leave nothing behind.
			match with_storage_layer(|| Self::insert(interval, order, None)) {
				Ok(id) => {
					if d.side == Side::Sell {
						add_to_mix(&mut mix, EnergySource::Storage, d.energy);
					}
					Self::deposit_event(Event::DispatchEntered {
						id,
						owner: d.owner,
						side: d.side,
						energy: d.energy,
					});
				}
				Err(_) => Self::deposit_event(Event::DispatchRefused {
					interval,
					meter: d.meter,
					side: d.side,
					energy: d.energy,
				}),
			}
		}
		for (zone, result) in zones.iter().zip(results) {
			Clearings::<T>::insert(interval, zone, result);
			Self::deposit_event(Event::ZoneCleared { interval, zone: *zone, result });
		}
		Flows::<T>::insert(interval, BoundedVec::truncate_from(flows));
		Mix::<T>::insert(interval, mix);
		Self::deposit_event(Event::IntervalCleared {
			interval,
			orders: BookLen::<T>::get(interval),
			traded,
			steps: clearing.steps,
		});
		(written, u32::try_from(zones.len()).unwrap_or(u32::MAX))
	}

	/// What clearing `interval`'s book now would give each zone (price, volumes, book totals,
	/// tariff), without writing anything: the indicative price of an open book.
	pub fn indicative(interval: IntervalIndex) -> Vec<(ZoneId, ZoneClearing)> {
		let Auction { zones, results, .. } = Self::auction(interval);
		zones.into_iter().zip(results).collect()
	}

	/// Runs the auction on `interval`'s book as it stands (see [`clearing::clear`]).
	fn auction(interval: IntervalIndex) -> Auction<T> {
		// Storage iterates pages in the order of their keys' hashes; the auction breaks ties by
		// an order's index, which must be its arrival.
		let mut pages: Vec<(u32, Page<T>)> = Book::<T>::iter_prefix(interval).collect();
		pages.sort_unstable_by_key(|(page, _)| *page);
		let links = T::Grid::links();
		let limits = Limits::<T>::get();

		// Zones: those of the orders and the links, in order, as indices.
		let mut zones: Vec<ZoneId> = links.iter().flat_map(|l| [l.a, l.b]).collect();
		zones.extend(pages.iter().flat_map(|(_, orders)| orders.iter().map(|o| o.zone)));
		zones.sort();
		zones.dedup();
		let index = |z: ZoneId| zones.binary_search(&z).unwrap_or(0);
		// What the grid's emergencies leave of each zone's market: a halted zone's orders and
		// a cut-off zone's links stay out of the auction.
		let markets: Vec<ZoneMarket> = zones.iter().map(|z| T::Balancing::market(*z)).collect();
		let market = |z: usize| markets.get(z).copied().unwrap_or_default();
		let open = |z: usize| {
			let m = market(z);
			m.halted.is_none() && !m.isolated
		};

		// Live orders as offers, each with where it lives; each zone's demand and supply.
		let (mut bids, mut asks) = (Vec::new(), Vec::new());
		let mut depth = alloc::vec![(Energy::ZERO, Energy::ZERO); zones.len()];
		let (mut bid_at, mut ask_at) = (Vec::new(), Vec::new());
		for (p, (_, orders)) in pages.iter().enumerate() {
			for (i, o) in orders.iter().enumerate() {
				let dispatched = matches!(o.origin, Origin::Dispatched(_));
				if o.energy.is_zero() || dispatched || market(index(o.zone)).halted.is_some() {
					continue;
				}
				let offer = Offer { zone: index(o.zone), energy: o.energy.0, price: o.price.0 };
				let depth = depth.get_mut(offer.zone);
				match o.side() {
					Side::Buy => {
						if let Some(d) = depth {
							d.0 = d.0.saturating_add(o.energy);
						}
						bids.push(offer);
						bid_at.push((p, i));
					}
					Side::Sell => {
						if let Some(d) = depth {
							d.1 = d.1.saturating_add(o.energy);
						}
						asks.push(offer);
						ask_at.push((p, i));
					}
				}
			}
		}
		let length = T::Grid::interval_length_ms();
		let per_interval =
			|p: daeg_primitives::Power| p.energy_over(length).map_or(u64::MAX, |e| e.0);
		// A closed link carries nothing.
		let net: Vec<Link> = links
			.iter()
			.map(|l| {
				let (a, b) = (index(l.a), index(l.b));
				let carries = open(a) && open(b);
				let limit = |p| if carries { per_interval(p) } else { 0 };
				Link { a, b, a_to_b: limit(l.a_to_b), b_to_a: limit(l.b_to_a) }
			})
			.collect();
		let orders = bids.len().saturating_add(asks.len());
		let clearing = clearing::clear(
			zones.len(),
			&bids,
			&asks,
			&net,
			limits.floor.0,
			limits.cap.0,
			clearing::max_steps(orders, net.len()),
		);

		// Each zone's result.
		let mut results: Vec<ZoneClearing> = clearing
			.prices
			.iter()
			.enumerate()
			.map(|(z, p)| {
				// An emergency cap bounds the zone's price.
				let cap = market(z).cap.unwrap_or(PricePerKWh(u128::MAX));
				ZoneClearing { price: p.map(|p| PricePerKWh(p).min(cap)), ..Default::default() }
			})
			.collect();
		for (side, offers, fills) in
			[(Side::Buy, &bids, &clearing.bids), (Side::Sell, &asks, &clearing.asks)]
		{
			for (offer, &fill) in offers.iter().zip(fills.iter()) {
				let Some(r) = results.get_mut(offer.zone) else { continue };
				match side {
					Side::Buy => r.bought = r.bought.saturating_add(Energy(fill)),
					Side::Sell => r.sold = r.sold.saturating_add(Energy(fill)),
				}
			}
		}
		// Each zone's book depth and tariff: a zone is congested when it imports at a link's
		// limit; its unmet share is the demand neither its supply nor its imports covered.
		let mut imports = alloc::vec![0i128; zones.len()];
		let mut congested = alloc::vec![false; zones.len()];
		for (l, f) in net.iter().zip(clearing.flows.iter()) {
			let (to, limit) = if *f >= 0 { (l.b, l.a_to_b) } else { (l.a, l.b_to_a) };
			let from = if *f >= 0 { l.a } else { l.b };
			let amount = f.unsigned_abs();
			if let Some(i) = imports.get_mut(to) {
				*i = i.saturating_add(i128::try_from(amount).unwrap_or(i128::MAX));
			}
			if let Some(i) = imports.get_mut(from) {
				*i = i.saturating_sub(i128::try_from(amount).unwrap_or(i128::MAX));
			}
			if amount > 0 && u128::from(limit) <= amount {
				if let Some(c) = congested.get_mut(to) {
					*c = true;
				}
			}
		}
		for (z, r) in results.iter_mut().enumerate() {
			let (demanded, offered) = depth.get(z).copied().unwrap_or_default();
			r.demanded = demanded;
			r.offered = offered;
			let imported = imports.get(z).copied().unwrap_or(0).max(0);
			let supply = u128::from(offered.0).saturating_add(imported.unsigned_abs());
			let unmet = u128::from(demanded.0).saturating_sub(supply);
			let unmet = Perbill::from_rational(unmet, u128::from(demanded.0).max(1));
			let congested = congested.get(z).copied().unwrap_or(false);
			r.tariff = Self::tariff(
				interval,
				zones.get(z).copied().unwrap_or_default(),
				r.price,
				congested,
				unmet,
			);
		}
		let flows = links
			.iter()
			.zip(clearing.flows.iter())
			.map(|(l, f)| (l.a, l.b, i64::try_from(*f).unwrap_or(0)))
			.collect();
		let links = links
			.iter()
			.zip(net.iter())
			.zip(clearing.flows.iter())
			.filter(|((_, n), _)| open(n.a) && open(n.b))
			.map(|((l, n), f)| LinkFlow {
				a: l.a,
				b: l.b,
				a_to_b: Energy(n.a_to_b),
				b_to_a: Energy(n.b_to_a),
				flow: i64::try_from(*f).unwrap_or(0),
			})
			.collect();
		Auction { pages, zones, bid_at, ask_at, clearing, results, flows, links }
	}
}

/// A page of an interval's book.
type Page<T> = BoundedVec<crate::OrderOf<T>, frame_support::traits::ConstU32<{ crate::PAGE_SIZE }>>;

/// The auction run on a book: the pages it read, its zones (in index order), where each bid
/// and ask lives (page, index), the clearing, each zone's result and the links' flows.
struct Auction<T: Config> {
	pages: Vec<(u32, Page<T>)>,
	zones: Vec<ZoneId>,
	bid_at: Vec<(usize, usize)>,
	ask_at: Vec<(usize, usize)>,
	clearing: clearing::Clearing,
	results: Vec<ZoneClearing>,
	flows: Vec<(ZoneId, ZoneId, i64)>,
	/// The links the auction used (those not closed by an emergency), with their flows.
	links: Vec<LinkFlow>,
}

/// Adds `energy` sold from `source` to an interval's `mix`.
fn add_to_mix(mix: &mut [Energy; 7], source: EnergySource, energy: Energy) {
	let at = EnergySource::ALL.iter().position(|s| *s == source);
	if let Some(m) = at.and_then(|at| mix.get_mut(at)) {
		*m = m.saturating_add(energy);
	}
}
