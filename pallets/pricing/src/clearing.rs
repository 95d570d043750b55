//! The auction: a uniform-price double auction over zones linked by transfer limits, cleared
//! for the most welfare (pay-as-clear), as pure integer arithmetic without storage.
//!
//! ## The problem
//!
//! Bids (buy) and asks (sell) each name a zone, an energy (Wh, partially fillable) and a limit
//! price per kWh. Links between zones carry at most their limit in each direction per interval.
//! Clearing picks fills and link flows that maximise welfare — Σ bid price × bought −
//! Σ ask price × sold — so that each zone's sales plus imports equal its purchases plus
//! exports. That is a min-cost flow: source → ask (cost + ask price) → zone → links (cost 0) →
//! zone → bid (cost − bid price) → sink, of any amount.
//!
//! ## The algorithm: successive shortest paths on zones
//!
//! Every source–sink path of the residual network passes source → an ask's zone → zones →
//! a bid's zone → sink (order arcs only lead back to the source or out of the sink), so the
//! shortest path is the cheapest remaining ask and the dearest remaining bid whose zones are
//! connected by residual link capacity. Augmenting along it, as long as the bid pays at least
//! the ask, is the successive-shortest-path method, which keeps the flow optimal at every step
//! and ends optimal. Each step saturates an ask, a bid or a link on the path; with `Z` zones
//! and `L` links a step costs `O(Z·(Z + L))` after sorting each zone's orders once
//! (`O(N log N)`).
//!
//! ## Prices
//!
//! Zone prices are the dual of the flow. A zone's price `π` must satisfy `π ≤ p` for every bid
//! that bought anything and `π ≥ p` for every bid left (partly) unfilled, `π ≥ p` for every ask
//! that sold and `π ≤ p` for every ask left (partly) unsold, and `π_b ≤ π_a` while more could
//! flow from zone `a` to zone `b` (a link that binds lets prices differ, and only rising in the
//! direction of the flow). These are difference constraints: the lowest and highest
//! consistent prices are found by Bellman–Ford over the zones, and each zone's price is their
//! midpoint (rounded down), which satisfies every constraint too. Between the price floor and
//! cap. A zone where nothing traded, unconnected by unbinding links to any where something did,
//! has no price: with no trade, only bounds (a shortage's lone bids would otherwise set a price
//! halfway to the cap).
//!
//! Ties are broken deterministically: among orders of one price the earlier (lower index)
//! first, among zones the lower index first.

use alloc::{vec, vec::Vec};

/// A bid or ask as the auction sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Offer {
	/// The zone's index (below the number of zones).
	pub zone: usize,
	/// Energy, Wh.
	pub energy: u64,
	/// Limit price per kWh.
	pub price: u128,
}

/// A link between two zones and the most energy it carries each way in the interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link {
	/// One end (a zone index).
	pub a: usize,
	/// The other end.
	pub b: usize,
	/// The most energy from `a` to `b`, Wh.
	pub a_to_b: u64,
	/// The most energy from `b` to `a`, Wh.
	pub b_to_a: u64,
}

/// The auction's result.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Clearing {
	/// Energy bought by each bid, Wh (in the order given).
	pub bids: Vec<u64>,
	/// Energy sold by each ask, Wh.
	pub asks: Vec<u64>,
	/// Net energy over each link from `a` to `b` (negative: from `b` to `a`), Wh.
	pub flows: Vec<i128>,
	/// Each zone's clearing price per kWh; `None` for a zone the market did not reach.
	pub prices: Vec<Option<u128>>,
	/// How many augmentation steps the clearing took (for benchmarks and bounds).
	pub steps: u32,
}

impl Clearing {
	/// Welfare of the result for `bids` and `asks`: Σ bid price × bought − Σ ask price × sold,
	/// in price × Wh (divide by 1,000 for money).
	pub fn welfare(&self, bids: &[Offer], asks: &[Offer]) -> i128 {
		let value = |offers: &[Offer], fills: &[u64]| -> i128 {
			offers.iter().zip(fills).fold(0i128, |sum, (o, f)| {
				let v = i128::try_from(o.price.saturating_mul(u128::from(*f))).unwrap_or(i128::MAX);
				sum.saturating_add(v)
			})
		};
		value(bids, &self.bids).saturating_sub(value(asks, &self.asks))
	}
}

/// One zone's orders, best first, and where the auction stands in them.
struct Queue {
	/// Order indices: bids dearest first, asks cheapest first; ties by index.
	order: Vec<usize>,
	/// The next order not yet filled completely.
	next: usize,
}

impl Queue {
	fn new(offers: &[Offer], zone: usize, dearest_first: bool) -> Self {
		let mut order: Vec<usize> =
			offers.iter().enumerate().filter(|(_, o)| o.zone == zone).map(|(i, _)| i).collect();
		order.sort_by(|&x, &y| {
			let price = |i: usize| offers.get(i).map_or(0, |o| o.price);
			let (px, py) = (price(x), price(y));
			let by_price = if dearest_first { py.cmp(&px) } else { px.cmp(&py) };
			by_price.then(x.cmp(&y))
		});
		Self { order, next: 0 }
	}

	/// The best order with energy left, skipping exhausted ones.
	fn head(&mut self, offers: &[Offer], filled: &[u64]) -> Option<usize> {
		while let Some(&i) = self.order.get(self.next) {
			let left = offers
				.get(i)
				.map_or(0, |o| o.energy)
				.saturating_sub(filled.get(i).copied().unwrap_or(0));
			if left > 0 {
				return Some(i);
			}
			self.next = self.next.saturating_add(1);
		}
		None
	}
}

/// The residual network over zones: for each link, what can still flow each way.
struct Network<'a> {
	zones: usize,
	links: &'a [Link],
	flows: Vec<i128>,
}

impl Network<'_> {
	/// What can still flow over link `l` from `from` (one of its ends) to its other end.
	fn residual(&self, l: usize, from: usize) -> u64 {
		let (Some(link), Some(&flow)) = (self.links.get(l), self.flows.get(l)) else { return 0 };
		// `flow` is a→b; sending from a adds to it up to a_to_b, from b subtracts down to −b_to_a.
		let left = if from == link.a {
			i128::from(link.a_to_b).saturating_sub(flow)
		} else {
			i128::from(link.b_to_a).saturating_add(flow)
		};
		u64::try_from(left.max(0)).unwrap_or(u64::MAX)
	}

	/// The other end of link `l` from `zone`, if `zone` is one of its ends.
	fn across(&self, l: usize, zone: usize) -> Option<usize> {
		let link = self.links.get(l)?;
		if link.a == zone && link.b != zone {
			Some(link.b)
		} else if link.b == zone && link.a != zone {
			Some(link.a)
		} else {
			None
		}
	}

	/// From `source`, for every zone the widest path's capacity (`u64::MAX` for `source`
	/// itself, 0 if unreachable) and the link it is reached by.
	fn widest_from(&self, source: usize) -> (Vec<u64>, Vec<Option<usize>>) {
		let mut width = vec![0u64; self.zones];
		let mut via = vec![None; self.zones];
		let mut done = vec![false; self.zones];
		if let Some(w) = width.get_mut(source) {
			*w = u64::MAX;
		}
		for _ in 0..self.zones {
			// The widest zone not yet done (lowest index on ties).
			let mut best: Option<usize> = None;
			for z in 0..self.zones {
				let open =
					!done.get(z).copied().unwrap_or(true) && width.get(z).copied().unwrap_or(0) > 0;
				if open && best.is_none_or(|b| width.get(z) > width.get(b)) {
					best = Some(z);
				}
			}
			let Some(z) = best else { break };
			if let Some(d) = done.get_mut(z) {
				*d = true;
			}
			let here = width.get(z).copied().unwrap_or(0);
			for l in 0..self.links.len() {
				let Some(next) = self.across(l, z) else { continue };
				let through = here.min(self.residual(l, z));
				if through > width.get(next).copied().unwrap_or(0)
					&& !done.get(next).copied().unwrap_or(true)
				{
					if let Some(w) = width.get_mut(next) {
						*w = through;
					}
					if let Some(v) = via.get_mut(next) {
						*v = Some(l);
					}
				}
			}
		}
		(width, via)
	}

	/// Sends `amount` from `from` to `to` along the links `via` names (from [`Self::widest_from`]).
	fn send(&mut self, from: usize, to: usize, via: &[Option<usize>], amount: u64) {
		let mut z = to;
		// A path visits each zone at most once.
		for _ in 0..self.zones {
			if z == from {
				break;
			}
			let Some(Some(l)) = via.get(z).copied() else { break };
			let Some(link) = self.links.get(l) else { break };
			let Some(flow) = self.flows.get_mut(l) else { break };
			// Energy arrives at `z`: over a→b if z is b.
			if z == link.b {
				*flow = flow.saturating_add(i128::from(amount));
				z = link.a;
			} else {
				*flow = flow.saturating_sub(i128::from(amount));
				z = link.b;
			}
		}
	}
}

/// Clears `bids` and `asks` in `zones` zones joined by `links`, with prices between `floor`
/// and `cap`. Orders naming a zone outside `0..zones` are left unfilled. At most `max_steps`
/// augmentation steps are taken: the result is always feasible, and optimal unless the bound
/// cut it short (see [`max_steps`]).
pub fn clear(
	zones: usize,
	bids: &[Offer],
	asks: &[Offer],
	links: &[Link],
	floor: u128,
	cap: u128,
	max_steps: u32,
) -> Clearing {
	let mut bought = vec![0u64; bids.len()];
	let mut sold = vec![0u64; asks.len()];
	let mut bid_queues: Vec<Queue> = (0..zones).map(|z| Queue::new(bids, z, true)).collect();
	let mut ask_queues: Vec<Queue> = (0..zones).map(|z| Queue::new(asks, z, false)).collect();
	let mut net = Network { zones, links, flows: vec![0; links.len()] };
	let mut steps = 0u32;

	while steps < max_steps {
		// Each zone's best bid.
		let best_bids: Vec<Option<usize>> =
			bid_queues.iter_mut().map(|q| q.head(bids, &bought)).collect();
		// The best pair: the most surplus, then the lowest ask zone, then bid zone.
		let mut best: Option<(u128, usize, usize, usize, usize, Vec<u64>, Vec<Option<usize>>)> =
			None;
		for (a, queue) in ask_queues.iter_mut().enumerate() {
			let Some(ask) = queue.head(asks, &sold) else { continue };
			let ask_price = asks.get(ask).map_or(u128::MAX, |o| o.price);
			let (width, via) = net.widest_from(a);
			for (b, bid) in best_bids.iter().enumerate() {
				let Some(bid) = *bid else { continue };
				let bid_price = bids.get(bid).map_or(0, |o| o.price);
				if bid_price < ask_price || width.get(b).copied().unwrap_or(0) == 0 {
					continue;
				}
				let surplus = bid_price.saturating_sub(ask_price);
				if best.as_ref().is_none_or(|(s, ..)| surplus > *s) {
					best = Some((surplus, a, b, ask, bid, width.clone(), via.clone()));
				}
			}
		}
		let Some((_, a, b, ask, bid, width, via)) = best else { break };
		let ask_left = asks
			.get(ask)
			.map_or(0, |o| o.energy)
			.saturating_sub(sold.get(ask).copied().unwrap_or(0));
		let bid_left = bids
			.get(bid)
			.map_or(0, |o| o.energy)
			.saturating_sub(bought.get(bid).copied().unwrap_or(0));
		let amount = ask_left.min(bid_left).min(width.get(b).copied().unwrap_or(0));
		if amount == 0 {
			break;
		}
		net.send(a, b, &via, amount);
		if let Some(s) = sold.get_mut(ask) {
			*s = s.saturating_add(amount);
		}
		if let Some(s) = bought.get_mut(bid) {
			*s = s.saturating_add(amount);
		}
		steps = steps.saturating_add(1);
	}

	let prices = zone_prices(zones, bids, asks, &bought, &sold, &net, floor, cap);
	Clearing { bids: bought, asks: sold, flows: net.flows, prices, steps }
}

/// A generous bound on the steps of [`clear`]: each step fills an ask or a bid completely or
/// saturates a link on its path, so `orders × (links + 1)` steps allow every link to saturate
/// again between two orders filled. The property tests check that clearing never reaches it.
pub fn max_steps(orders: usize, links: usize) -> u32 {
	let orders = u32::try_from(orders).unwrap_or(u32::MAX);
	let links = u32::try_from(links).unwrap_or(u32::MAX);
	orders.saturating_add(1).saturating_mul(links.saturating_add(1))
}

/// The zones' prices: the midpoint of the lowest and highest prices consistent with the fills
/// and flows (see the module docs).
fn zone_prices(
	zones: usize,
	bids: &[Offer],
	asks: &[Offer],
	bought: &[u64],
	sold: &[u64],
	net: &Network,
	floor: u128,
	cap: u128,
) -> Vec<Option<u128>> {
	let mut lo = vec![floor; zones];
	let mut hi = vec![cap; zones];
	let mut traded = vec![false; zones];
	let mut bound = |zone: usize, price: u128, filled: u64, energy: u64, is_bid: bool| {
		let (Some(l), Some(h), Some(t)) =
			(lo.get_mut(zone), hi.get_mut(zone), traded.get_mut(zone))
		else {
			return;
		};
		*t |= filled > 0;
		let price = price.clamp(floor, cap);
		// A bid filled at all pays at most its price; one not filled completely lost to a
		// price at least its own. Asks the other way round.
		let (some, short) = (filled > 0, filled < energy);
		let (at_most, at_least) = if is_bid { (some, short) } else { (short, some) };
		if at_most {
			*h = (*h).min(price);
		}
		if at_least {
			*l = (*l).max(price);
		}
	};
	for (o, f) in bids.iter().zip(bought) {
		bound(o.zone, o.price, *f, o.energy, true);
	}
	for (o, f) in asks.iter().zip(sold) {
		bound(o.zone, o.price, *f, o.energy, false);
	}
	// `π_to ≤ π_from` wherever energy could still flow from `from` to `to`.
	let mut edges: Vec<(usize, usize)> = Vec::new();
	for (l, link) in net.links.iter().enumerate() {
		if net.across(l, link.a).is_none() {
			continue;
		}
		if net.residual(l, link.a) > 0 {
			edges.push((link.a, link.b));
		}
		if net.residual(l, link.b) > 0 {
			edges.push((link.b, link.a));
		}
	}
	// Lowest consistent prices: raise `from` to `to`; highest: lower `to` to `from`.
	let mut low = lo.clone();
	let mut high = hi.clone();
	for _ in 0..zones {
		let mut changed = false;
		for &(from, to) in &edges {
			let (Some(&lt), Some(&hf)) = (low.get(to), high.get(from)) else { continue };
			if let Some(lf) = low.get_mut(from) {
				if *lf < lt {
					*lf = lt;
					changed = true;
				}
			}
			if let Some(ht) = high.get_mut(to) {
				if *ht > hf {
					*ht = hf;
					changed = true;
				}
			}
		}
		if !changed {
			break;
		}
	}
	// A zone is priced if trades happened in it or reach it over links that do not bind: where
	// nothing could trade there is no clearing price, only bounds.
	let mut reached = traded.clone();
	for _ in 0..zones {
		for &(from, to) in &edges {
			let (Some(&f), Some(&t)) = (reached.get(from), reached.get(to)) else { continue };
			if f || t {
				if let Some(r) = reached.get_mut(from) {
					*r = true;
				}
				if let Some(r) = reached.get_mut(to) {
					*r = true;
				}
			}
		}
	}
	(0..zones)
		.map(|z| {
			let (l, h) = (low.get(z).copied()?, high.get(z).copied()?);
			reached.get(z).copied().unwrap_or(false).then(|| l / 2 + h / 2 + (l % 2 + h % 2) / 2)
		})
		.collect()
}
