//! The auction against an independent reference: on random order books over three or four
//! zones with binding transfer limits, the clearing's welfare equals the optimum found by
//! cycle-cancelling on the order-level network, every limit holds, every zone balances, and no
//! order trades beyond its limit price.

use crate::clearing::{clear, max_steps, Clearing, Link, Offer};
use proptest::prelude::*;

/// The reference: the most welfare, by cancelling negative cycles (Bellman–Ford) in the
/// residual network source → ask → zone → link → zone → bid → sink, closed by sink → source.
/// A different algorithm on a different graph (one arc per order) from the auction's.
fn reference_welfare(zones: usize, bids: &[Offer], asks: &[Offer], links: &[Link]) -> i128 {
	// Nodes: 0 source, 1 sink, 2.. zones. Arcs come in pairs: forward at even index, its
	// residual reverse after it.
	struct Arc {
		to: usize,
		cap: i128,
		cost: i128,
	}
	let mut arcs: Vec<Arc> = Vec::new();
	let mut from: Vec<usize> = Vec::new();
	let add =
		|arcs: &mut Vec<Arc>, from: &mut Vec<usize>, a: usize, b: usize, cap: i128, cost: i128| {
			arcs.push(Arc { to: b, cap, cost });
			from.push(a);
			arcs.push(Arc { to: a, cap: 0, cost: -cost });
			from.push(b);
		};
	let zone = |z: usize| 2 + z;
	let mut total = 0i128;
	for o in asks {
		add(&mut arcs, &mut from, 0, zone(o.zone), o.energy.into(), o.price as i128);
		total += i128::from(o.energy);
	}
	for o in bids {
		add(&mut arcs, &mut from, zone(o.zone), 1, o.energy.into(), -(o.price as i128));
	}
	for l in links {
		add(&mut arcs, &mut from, zone(l.a), zone(l.b), l.a_to_b.into(), 0);
		add(&mut arcs, &mut from, zone(l.b), zone(l.a), l.b_to_a.into(), 0);
	}
	add(&mut arcs, &mut from, 1, 0, total, 0);
	let nodes = 2 + zones;
	loop {
		// Bellman–Ford from a virtual source at distance 0 to every node.
		let mut dist = vec![0i128; nodes];
		let mut pred: Vec<Option<usize>> = vec![None; nodes];
		let mut last = None;
		for _ in 0..nodes {
			last = None;
			for (i, arc) in arcs.iter().enumerate() {
				if arc.cap > 0 && dist[from[i]] + arc.cost < dist[arc.to] {
					dist[arc.to] = dist[from[i]] + arc.cost;
					pred[arc.to] = Some(i);
					last = Some(arc.to);
				}
			}
		}
		let Some(mut v) = last else { break };
		// Walk back into the cycle, then around it.
		for _ in 0..nodes {
			v = from[pred[v].unwrap()];
		}
		let mut cycle = Vec::new();
		let mut u = v;
		loop {
			let i = pred[u].unwrap();
			cycle.push(i);
			u = from[i];
			if u == v {
				break;
			}
		}
		let push = cycle.iter().map(|&i| arcs[i].cap).min().unwrap();
		for &i in &cycle {
			arcs[i].cap -= push;
			arcs[i ^ 1].cap += push;
		}
	}
	// Welfare is minus the cost of the flow; a forward arc's flow is its reverse's capacity,
	// and the reverse's cost is minus the forward's.
	arcs.iter().skip(1).step_by(2).map(|reverse| reverse.cap * reverse.cost).sum()
}

/// Checks everything the auction promises about `c`.
fn check(
	zones: usize,
	bids: &[Offer],
	asks: &[Offer],
	links: &[Link],
	floor: u128,
	cap: u128,
	c: &Clearing,
) {
	assert!(
		c.steps < max_steps(bids.len() + asks.len(), links.len()),
		"the step bound cut it short"
	);
	assert_eq!(
		c.welfare(bids, asks),
		reference_welfare(zones, bids, asks, links),
		"welfare is optimal"
	);
	for (o, f) in bids.iter().zip(&c.bids).chain(asks.iter().zip(&c.asks)) {
		assert!(*f <= o.energy, "no order fills beyond its energy");
	}
	// Limits hold and every zone balances.
	let mut net = vec![0i128; zones];
	for (l, flow) in links.iter().zip(&c.flows) {
		assert!(-i128::from(l.b_to_a) <= *flow && *flow <= i128::from(l.a_to_b), "limit exceeded");
		net[l.a] -= flow;
		net[l.b] += flow;
	}
	for (o, f) in asks.iter().zip(&c.asks) {
		net[o.zone] += i128::from(*f);
	}
	for (o, f) in bids.iter().zip(&c.bids) {
		net[o.zone] -= i128::from(*f);
	}
	assert!(net.iter().all(|n| *n == 0), "zones balance: {net:?}");
	// Prices: nobody trades beyond their limit, nobody in the money is left out.
	let price = |z: usize| c.prices[z];
	for (o, f) in bids.iter().zip(&c.bids).chain(asks.iter().zip(&c.asks)) {
		if *f > 0 {
			assert!(price(o.zone).is_some(), "a zone where orders traded has a price");
		}
	}
	for (o, f) in bids.iter().zip(&c.bids) {
		let Some(p) = price(o.zone) else { continue };
		assert!((floor..=cap).contains(&p));
		if *f > 0 {
			assert!(p <= o.price, "a bid pays above its limit");
		}
		if *f < o.energy {
			assert!(p >= o.price.min(cap), "a bid above the price is left unfilled");
		}
	}
	for (o, f) in asks.iter().zip(&c.asks) {
		let Some(p) = price(o.zone) else { continue };
		if *f > 0 {
			assert!(p >= o.price, "an ask sells below its limit");
		}
		if *f < o.energy {
			assert!(p <= o.price.max(floor), "an ask below the price is left unsold");
		}
	}
	// Prices differ only across binding links, and then rise in the flow's direction.
	for (l, flow) in links.iter().zip(&c.flows) {
		let (Some(pa), Some(pb)) = (price(l.a), price(l.b)) else { continue };
		if *flow < i128::from(l.a_to_b) {
			assert!(pb <= pa, "more could flow a→b, yet b is dearer");
		}
		if *flow > -i128::from(l.b_to_a) {
			assert!(pa <= pb, "more could flow b→a, yet a is dearer");
		}
	}
}

fn offers(zones: usize, max: usize) -> impl Strategy<Value = Vec<Offer>> {
	prop::collection::vec((0..zones, 1u64..=60, 1u128..=30), 0..=max).prop_map(|v| {
		v.into_iter().map(|(zone, energy, price)| Offer { zone, energy, price }).collect()
	})
}

/// Three or four zones on a line or a ring, with small limits so that they bind.
fn network() -> impl Strategy<Value = (usize, Vec<Link>)> {
	(3usize..=4, any::<bool>(), prop::collection::vec((0u64..=40, 0u64..=40), 4)).prop_map(
		|(zones, ring, limits)| {
			let count = if ring { zones } else { zones - 1 };
			let links = (0..count)
				.map(|i| Link {
					a: i,
					b: (i + 1) % zones,
					a_to_b: limits[i].0,
					b_to_a: limits[i].1,
				})
				.collect();
			(zones, links)
		},
	)
}

fn book() -> impl Strategy<Value = (usize, Vec<Link>, Vec<Offer>, Vec<Offer>)> {
	network().prop_flat_map(|(zones, links)| {
		(Just(zones), Just(links), offers(zones, 8), offers(zones, 8))
	})
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 2_000, .. ProptestConfig::default() })]

	#[test]
	fn clearing_is_optimal_feasible_and_priced_consistently((zones, links, bids, asks) in book()) {
		let c = clear(zones, &bids, &asks, &links, 0, 1_000, max_steps(bids.len() + asks.len(), links.len()));
		check(zones, &bids, &asks, &links, 0, 1_000, &c);
	}
}

#[test]
fn one_zone_clears_where_supply_meets_demand() {
	// Asks 100 Wh at 10, 100 at 20, 100 at 30; bids 150 at 25, 100 at 15.
	let o = |energy, price| Offer { zone: 0, energy, price };
	let asks = [o(100, 10), o(100, 20), o(100, 30)];
	let bids = [o(150, 25), o(100, 15)];
	let c = clear(1, &bids, &asks, &[], 0, 1_000, 100);
	assert_eq!(c.asks, vec![100, 50, 0]);
	assert_eq!(c.bids, vec![150, 0]);
	// The partly filled ask pins the price at 20.
	assert_eq!(c.prices, vec![Some(20)]);
	check(1, &bids, &asks, &[], 0, 1_000, &c);
}

#[test]
fn a_binding_link_separates_zone_prices() {
	// Zone 0 has cheap supply, zone 1 dear demand; the link carries only 40 Wh.
	let asks =
		[Offer { zone: 0, energy: 100, price: 5 }, Offer { zone: 1, energy: 100, price: 40 }];
	let bids =
		[Offer { zone: 0, energy: 30, price: 10 }, Offer { zone: 1, energy: 100, price: 50 }];
	let links = [Link { a: 0, b: 1, a_to_b: 40, b_to_a: 40 }];
	let c = clear(2, &bids, &asks, &links, 0, 1_000, 100);
	assert_eq!(c.flows, vec![40]);
	assert_eq!(c.asks, vec![70, 60]);
	assert_eq!(c.bids, vec![30, 100]);
	// Zone 0's partly sold ask sets 5, zone 1's sets 40.
	assert_eq!(c.prices, vec![Some(5), Some(40)]);
	check(2, &bids, &asks, &links, 0, 1_000, &c);
	// Without the limit the cheap supply all goes to the dear demand, zone 0's bid at 10 goes
	// without (it cannot pay zone 1's ask at 40), and both zones share one price: between 10
	// (the unfilled bid) and 40 (the unsold ask), 25.
	let wide = [Link { a: 0, b: 1, a_to_b: 1_000, b_to_a: 1_000 }];
	let c = clear(2, &bids, &asks, &wide, 0, 1_000, 100);
	assert_eq!((c.asks.clone(), c.bids.clone()), (vec![100, 0], vec![0, 100]));
	assert_eq!(c.prices, vec![Some(25), Some(25)]);
	check(2, &bids, &asks, &wide, 0, 1_000, &c);
}

#[test]
fn ties_break_by_order_index_and_unreached_zones_have_no_price() {
	let o = |zone, energy, price| Offer { zone, energy, price };
	let asks = [o(0, 50, 10), o(0, 50, 10)];
	let bids = [o(0, 60, 20)];
	let c = clear(3, &bids, &asks, &[Link { a: 0, b: 1, a_to_b: 0, b_to_a: 0 }], 0, 100, 100);
	assert_eq!(c.asks, vec![50, 10], "the earlier ask first");
	assert_eq!(c.prices[2], None, "zone 2 is not linked");
	assert_eq!(c.prices[1], None, "zone 1's link carries nothing");
	// A shortage: bids and no asks trade nothing, so there is no clearing price.
	let c = clear(1, &bids, &[], &[], 0, 100, 100);
	assert_eq!((c.bids.clone(), c.prices.clone()), (vec![0], vec![None]));
}
