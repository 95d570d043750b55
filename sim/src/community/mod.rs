//! The energy community of the demo and of the simulation mode: its grid (zones, a microgrid,
//! links), its members with their meters, plants, storage and flexible load, and what each
//! meter measures hour by hour, from the real profiles in `data/profiles.csv`.
//!
//! One definition serves the live demo (`daeg-sim community describe|plan`, read by
//! `scripts/demo`) and the simulation, so both run the same community. For `n` households
//! (30 in the demo): two thirds in the village (zone 0), a third by the river (zone 1); about
//! a third with rooftop PV and a tenth of those with a battery too; a wind turbine, the
//! community battery, a hydro plant, a gas peaker, a bakery and a school, and a farm microgrid
//! (zone 2, inside the village), all sized in proportion to `n`.
//!
//! Variation: each meter's actual power differs from the profile forecast by a deterministic
//! factor per hour (15 % standard deviation for loads, 5 % for PV, wind and hydro), the same on
//! every run, so that the market trades forecasts and balancing and settlement see the
//! difference.

pub mod cli;
pub mod profiles;

use daeg_primitives::{market::Side, metering::MeterKind, EnergySource};
use profiles::{Hour, Profiles};
use serde::Serialize;

/// Households in the demo community.
pub const DEMO_HOUSEHOLDS: u32 = 30;
/// The most homes in one zone: keeps each zone's storage units and demand-response participants
/// within the runtime's bounds (16 and 64 per zone); a community of up to about 1,200 homes fits
/// the runtime's eight zones.
const NEIGHBOURHOOD: u32 = 180;
/// Standard deviation of a load's actual power around its profile.
const LOAD_SPREAD: f64 = 0.15;
/// Standard deviation of PV, wind and hydro output around their profiles.
const SUPPLY_SPREAD: f64 = 0.05;

/// A zone of the community's grid.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Zone {
	/// Its id on chain.
	pub id: u16,
	/// What people call it.
	pub name: String,
	/// Its feeder's capacity, W.
	pub capacity_w: u64,
	/// The zone a microgrid sits in.
	pub parent: Option<u16>,
}

/// A link between two zones.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
	/// One end.
	pub a: u16,
	/// The other end.
	pub b: u16,
	/// The most power from `a` to `b`, W.
	pub a_to_b_w: u64,
	/// The most power from `b` to `a`, W.
	pub b_to_a_w: u64,
}

/// A standard load profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LoadProfile {
	/// BDEW H25.
	Household,
	/// BDEW G25.
	Business,
}

/// What a meter measures besides dispatch.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Meter {
	/// Its name within its member ("home", "battery", "main").
	pub key: &'static str,
	/// Its kind on chain.
	pub kind: MeterKind,
	/// Its maximum power on chain, W.
	pub max_w: u64,
	/// The register map the simulated meter speaks (meter-oracle/maps).
	pub map: &'static str,
	/// Its load: profile and annual energy, kWh.
	pub load: Option<(LoadProfile, f64)>,
	/// Rooftop PV behind it, kWp.
	pub pv_kwp: f64,
	/// A wind turbine's rating, kW.
	pub wind_kw: f64,
	/// A run-of-river plant's rating, kW.
	pub hydro_kw: f64,
	/// Whether it measures a dispatchable unit (storage, a peaker) whose power the demo sets.
	pub dispatch: bool,
	/// Its variation's seed.
	pub seed: u64,
}

/// A member's plant, registered as a facility.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plant {
	/// The meter that measures it.
	pub meter: &'static str,
	/// Its energy source.
	pub source: EnergySource,
	/// Its capacity, W.
	pub capacity_w: u64,
	/// Whether it runs only when its energy is sold (a peaker).
	pub dispatchable: bool,
}

/// A member's storage unit.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Storage {
	/// The meter that measures it.
	pub meter: &'static str,
	/// Its capacity, Wh.
	pub capacity_wh: u64,
	/// Its charge and discharge power, W.
	pub power_w: u64,
	/// Its round-trip efficiency, parts per billion.
	pub efficiency_ppb: u32,
}

/// A member's flexible load, enrolled in demand response.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Flexible {
	/// The meter whose load it sheds.
	pub meter: &'static str,
	/// The power it sheds, W.
	pub power_w: u64,
	/// The most hours a day.
	pub max_hours: u8,
}

/// A member of the community.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
	/// Its name (and its accounts' derivation path).
	pub name: String,
	/// Its zone.
	pub zone: u16,
	/// Its meters.
	pub meters: Vec<Meter>,
	/// Its plant.
	pub plant: Option<Plant>,
	/// Its storage unit.
	pub storage: Option<Storage>,
	/// Its flexible load.
	pub flexible: Option<Flexible>,
	/// The most it pays for energy, thousandths of a DAEG per kWh.
	pub bid_milli: Option<u32>,
	/// The least it sells energy for, thousandths of a DAEG per kWh.
	pub ask_milli: Option<u32>,
}

/// The community.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Community {
	/// The grid's zones.
	pub zones: Vec<Zone>,
	/// The links between them.
	pub links: Vec<Link>,
	/// Its members.
	pub members: Vec<Member>,
	/// The carbon intensity the operators set, g CO₂/kWh: per source, and (`None`) of the
	/// residual mix, what consumption not bought in the market is counted at.
	pub carbon: Vec<(Option<EnergySource>, u32)>,
}

/// A small deterministic generator (SplitMix64): the same community on every run.
struct Rng(u64);

impl Rng {
	fn next(&mut self) -> u64 {
		self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
		let mut z = self.0;
		z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
		z ^ (z >> 31)
	}

	/// Uniform in [0, 1).
	fn unit(&mut self) -> f64 {
		(self.next() >> 11) as f64 / (1u64 << 53) as f64
	}

	fn between(&mut self, lo: f64, hi: f64) -> f64 {
		lo + (hi - lo) * self.unit()
	}
}

/// `x` scaled by `n` households per 30, rounded to `step`.
fn per_30(x: f64, n: u32, step: f64) -> f64 {
	((x * f64::from(n) / 30.0) / step).round().max(1.0) * step
}

/// The community of `households` households (at least 3).
pub fn community(households: u32) -> Community {
	let n = households.max(3);
	let mut rng = Rng(2026);
	let watts = |kw: f64| (kw * 1_000.0).round() as u64;
	let village = (n * 2).div_ceil(3);
	let mut zones = vec![
		Zone {
			id: 0,
			name: "Village".into(),
			capacity_w: watts(per_30(60.0, n, 5.0)),
			parent: None,
		},
		Zone {
			id: 1,
			name: "Riverside".into(),
			capacity_w: watts(per_30(40.0, n, 5.0)),
			parent: None,
		},
		Zone {
			id: 2,
			name: "Farm".into(),
			capacity_w: watts(per_30(25.0, n, 5.0)),
			parent: Some(0),
		},
	];
	let mut links = vec![
		Link {
			a: 0,
			b: 1,
			a_to_b_w: watts(per_30(12.0, n, 1.0)),
			b_to_a_w: watts(per_30(12.0, n, 1.0)),
		},
		Link {
			a: 0,
			b: 2,
			a_to_b_w: watts(per_30(25.0, n, 1.0)),
			b_to_a_w: watts(per_30(25.0, n, 1.0)),
		},
	];
	let mut seed = 0u64;
	let mut next_seed = || {
		seed += 10;
		seed
	};
	// Homes beyond a feeder's worth form neighbourhoods of their own, each a zone linked to
	// its village's or riverside's.
	let mut neighbourhood = |home: u32, area: u16, homes: u32| -> (u16, u32, u32) {
		let (chunk, k) = (home / NEIGHBOURHOOD, home % NEIGHBOURHOOD);
		let size = homes.saturating_sub(chunk * NEIGHBOURHOOD).min(NEIGHBOURHOOD);
		if chunk == 0 {
			return (area, k, size);
		}
		let name = format!("{} {}", if area == 0 { "Village" } else { "Riverside" }, chunk + 1);
		let id = match zones.iter().find(|z| z.name == name) {
			Some(z) => z.id,
			None => {
				let id = zones.len() as u16;
				let capacity =
					|kw_per_home: f64| watts((kw_per_home * f64::from(size) / 5.0).round() * 5.0);
				zones.push(Zone { id, name, capacity_w: capacity(3.0), parent: None });
				links.push(Link {
					a: area,
					b: id,
					a_to_b_w: capacity(1.5),
					b_to_a_w: capacity(1.5),
				});
				id
			}
		};
		(id, k, size)
	};
	let mut members = Vec::new();
	for i in 0..n {
		let (zone, k, size) = if i < village {
			neighbourhood(i, 0, village)
		} else {
			neighbourhood(i - village, 1, n - village)
		};
		// About 35 % of the village's homes and 30 % of the riverside's have PV; the first tenth
		// of each zone's homes (at most 12) also a battery.
		let pv = k * 100 < size * if i < village { 35 } else { 30 };
		let battery = k < size.div_ceil(10).min(12);
		let pv_kwp = if pv { (rng.between(4.0, 9.0) * 10.0).round() / 10.0 } else { 0.0 };
		let annual = rng.between(2_200.0, 5_200.0).round();
		let bid = rng.between(260.0, 340.0).round() as u32;
		let ask = rng.between(40.0, 90.0).round() as u32;
		let (kind, map) = if pv {
			(MeterKind::Bidirectional, "sunspec-203")
		} else {
			(MeterKind::Consumption, "sdm630")
		};
		let home = Meter {
			load: Some((LoadProfile::Household, annual)),
			pv_kwp,
			..Meter::new("home", kind, 20_000, map, next_seed())
		};
		let mut member = Member {
			name: format!("home-{:04}", i + 1),
			zone,
			meters: vec![home],
			plant: pv.then(|| Plant {
				meter: "home",
				source: EnergySource::Solar,
				capacity_w: watts(pv_kwp),
				dispatchable: false,
			}),
			storage: None,
			flexible: (i % 3 == 0).then_some(Flexible {
				meter: "home",
				power_w: 1_000,
				max_hours: 2,
			}),
			bid_milli: Some(bid),
			ask_milli: pv.then_some(ask),
		};
		if pv && battery {
			member.meters.push(Meter {
				dispatch: true,
				..Meter::new("battery", MeterKind::Storage, 5_000, "sdm630", next_seed())
			});
			member.storage = Some(Storage {
				meter: "battery",
				capacity_wh: 10_000,
				power_w: 5_000,
				efficiency_ppb: 900_000_000,
			});
		}
		members.push(member);
	}
	let plant_meter = |kind, kw: f64, seed| Meter::new("main", kind, watts(kw), "em24", seed);
	let business = |name: &str, kwh: f64, bid, seed| Member {
		name: name.into(),
		zone: 1,
		meters: vec![Meter {
			load: Some((LoadProfile::Business, per_30(kwh, n, 100.0))),
			..plant_meter(MeterKind::Consumption, per_30(60.0, n, 1.0), seed)
		}],
		plant: None,
		storage: None,
		flexible: None,
		bid_milli: Some(bid),
		ask_milli: None,
	};
	members.push(business("bakery", 30_000.0, 320, next_seed()));
	members.push(Member {
		flexible: Some(Flexible {
			meter: "main",
			power_w: watts(per_30(5.0, n, 1.0)),
			max_hours: 3,
		}),
		..business("school", 45_000.0, 300, next_seed())
	});
	let plant = |name: &str, zone, source, kw: f64, ask, meter: Meter| Member {
		name: name.into(),
		zone,
		meters: vec![meter],
		plant: Some(Plant { meter: "main", source, capacity_w: watts(kw), dispatchable: false }),
		storage: None,
		flexible: None,
		bid_milli: None,
		ask_milli: Some(ask),
	};
	let wind = per_30(60.0, n, 1.0);
	members.push(plant(
		"wind-turbine",
		0,
		EnergySource::Wind,
		wind,
		20,
		Meter { wind_kw: wind, ..plant_meter(MeterKind::Production, wind, next_seed()) },
	));
	let hydro = per_30(15.0, n, 1.0);
	members.push(plant(
		"hydro-plant",
		1,
		EnergySource::Hydro,
		hydro,
		50,
		Meter { hydro_kw: hydro, ..plant_meter(MeterKind::Production, hydro, next_seed()) },
	));
	let gas = per_30(40.0, n, 1.0);
	let mut peaker = plant(
		"gas-peaker",
		1,
		EnergySource::Thermal,
		gas,
		280,
		Meter { dispatch: true, ..plant_meter(MeterKind::Production, gas, next_seed()) },
	);
	if let Some(p) = peaker.plant.as_mut() {
		p.dispatchable = true;
	}
	members.push(peaker);
	let battery = per_30(50.0, n, 1.0);
	members.push(Member {
		name: "community-battery".into(),
		zone: 0,
		meters: vec![Meter {
			dispatch: true,
			..plant_meter(MeterKind::Storage, battery, next_seed())
		}],
		plant: None,
		storage: Some(Storage {
			meter: "main",
			capacity_wh: watts(battery * 4.0),
			power_w: watts(battery),
			efficiency_ppb: 900_000_000,
		}),
		flexible: None,
		bid_milli: None,
		ask_milli: None,
	});
	let farm_pv = per_30(30.0, n, 1.0);
	let farm_battery = per_30(15.0, n, 1.0);
	members.push(Member {
		name: "farm".into(),
		zone: 2,
		meters: vec![
			Meter {
				load: Some((LoadProfile::Business, per_30(40_000.0, n, 100.0))),
				pv_kwp: farm_pv,
				..plant_meter(MeterKind::Bidirectional, per_30(40.0, n, 1.0), next_seed())
			},
			Meter {
				key: "battery",
				dispatch: true,
				..plant_meter(MeterKind::Storage, farm_battery, next_seed())
			},
		],
		plant: Some(Plant {
			meter: "main",
			source: EnergySource::Solar,
			capacity_w: watts(farm_pv),
			dispatchable: false,
		}),
		storage: Some(Storage {
			meter: "battery",
			capacity_wh: watts(farm_battery * 2.0),
			power_w: watts(farm_battery),
			efficiency_ppb: 900_000_000,
		}),
		flexible: None,
		bid_milli: Some(290),
		ask_milli: Some(45),
	});
	// Life-cycle medians (IPCC AR5, annex III) for the sources; the residual mix about
	// Europe's (AIB's European residual mix).
	let carbon = vec![
		(Some(EnergySource::Solar), 41),
		(Some(EnergySource::Wind), 11),
		(Some(EnergySource::Hydro), 24),
		(Some(EnergySource::Thermal), 490),
		(Some(EnergySource::Microgrid), 41),
		(None, 420),
	];
	Community { zones, links, members, carbon }
}

/// A run-of-river plant's output share in `hour` of the year: high water in early spring, low
/// in early autumn (a modelled seasonal flow, not measured data).
fn hydro_share(hour: usize) -> f64 {
	let day = hour as f64 / 24.0;
	0.6 + 0.25 * (2.0 * core::f64::consts::PI * (day - 75.0) / 365.0).cos()
}

/// A deterministic factor around 1 for `seed` in `hour` (normal, `spread` standard deviation,
/// within ±3 of it): the same on every run.
fn variation(seed: u64, hour: usize, spread: f64) -> f64 {
	let mut rng = Rng(seed.wrapping_mul(0x1000_0000_01B3) ^ hour as u64);
	let (u1, u2) = (rng.unit().max(f64::MIN_POSITIVE), rng.unit());
	let gauss = (-2.0 * u1.ln()).sqrt() * (2.0 * core::f64::consts::PI * u2).cos();
	(1.0 + spread * gauss.clamp(-3.0, 3.0)).max(0.0)
}

impl Meter {
	/// A meter that measures nothing yet.
	fn new(key: &'static str, kind: MeterKind, max_w: u64, map: &'static str, seed: u64) -> Self {
		Self {
			key,
			kind,
			max_w,
			map,
			load: None,
			pv_kwp: 0.0,
			wind_kw: 0.0,
			hydro_kw: 0.0,
			dispatch: false,
			seed,
		}
	}

	/// Its import power (W; negative: export) in `hour` of the year, without dispatch: the
	/// profile forecast, or with `actual`, what the meter measures.
	pub fn power(&self, hour: usize, weather: &Hour, actual: bool) -> f64 {
		let vary = |offset: u64, spread| {
			if actual {
				variation(self.seed.wrapping_add(offset), hour, spread)
			} else {
				1.0
			}
		};
		let mut watts = 0.0;
		if let Some((profile, annual_kwh)) = self.load {
			let per_mwh = match profile {
				LoadProfile::Household => weather.household_w_per_mwh,
				LoadProfile::Business => weather.business_w_per_mwh,
			};
			watts += per_mwh * annual_kwh / 1_000.0 * vary(0, LOAD_SPREAD);
		}
		watts -= weather.pv_w_per_kwp * self.pv_kwp * vary(1, SUPPLY_SPREAD);
		// A turbine's controller holds its output at its rating, whatever the local gusts.
		watts -= (weather.wind_share * vary(2, SUPPLY_SPREAD)).min(1.0) * self.wind_kw * 1_000.0;
		watts -= (hydro_share(hour) * vary(3, SUPPLY_SPREAD)).min(1.0) * self.hydro_kw * 1_000.0;
		watts
	}
}

/// An order a member places for an interval, from its forecast: what the demo's trader sends
/// as a transaction and the simulation dispatches.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedOrder {
	/// The member's index in [`Community::members`].
	pub member: usize,
	/// A bid (delivered at `meter`) or an ask (from the member's plant).
	pub side: Side,
	/// The member's meter the order is for: the bid's delivery point, the plant's meter.
	pub meter: &'static str,
	/// Its energy, Wh.
	pub energy_wh: u64,
	/// Its limit price, thousandths of a DAEG per kWh.
	pub price_milli: u32,
}

impl Community {
	/// Every member's order for the interval of `interval_ms` starting at grid time `grid_ms`:
	/// the gas peaker offers its capacity; everyone else trades its connection's forecast (its
	/// plant's meter, else its first metered load), bidding a forecast import and asking a
	/// forecast export of its plant.
	pub fn orders(&self, profiles: &Profiles, grid_ms: u64, interval_ms: u64) -> Vec<PlannedOrder> {
		let hour = Profiles::hour_of(grid_ms);
		let weather = profiles.hour(hour);
		// Energy moved at `watts` over the interval, Wh (forecasts are whole watts).
		let energy =
			|watts: f64| (watts.abs().round() * interval_ms as f64 / 3_600_000.0).round() as u64;
		let mut orders = Vec::new();
		for (member, m) in self.members.iter().enumerate() {
			let order = |side, meter, energy_wh, price_milli| PlannedOrder {
				member,
				side,
				meter,
				energy_wh,
				price_milli,
			};
			if let Some(plant) = m.plant.as_ref().filter(|p| p.dispatchable) {
				if let Some(ask) = m.ask_milli {
					orders.push(order(
						Side::Sell,
						plant.meter,
						energy(plant.capacity_w as f64),
						ask,
					));
				}
				continue;
			}
			let meter = match &m.plant {
				Some(plant) => m.meters.iter().find(|x| x.key == plant.meter),
				None => m.meters.iter().find(|x| !x.dispatch),
			};
			let Some(meter) = meter else { continue };
			let forecast = meter.power(hour, &weather, false).round();
			let wh = energy(forecast);
			match (m.bid_milli, m.ask_milli, &m.plant) {
				(Some(bid), ..) if wh > 0 && forecast > 0.0 => {
					orders.push(order(Side::Buy, meter.key, wh, bid))
				}
				(_, Some(ask), Some(_)) if wh > 0 && forecast < 0.0 => {
					orders.push(order(Side::Sell, meter.key, wh, ask))
				}
				_ => {}
			}
		}
		orders
	}

	/// Each non-dispatch meter's forecast and actual power in the profile hour of grid time
	/// `grid_ms`, as `("member/meter", forecast W, actual W)`.
	pub fn powers(&self, profiles: &Profiles, grid_ms: u64) -> Vec<(String, f64, f64)> {
		let hour = Profiles::hour_of(grid_ms);
		let weather = profiles.hour(hour);
		self.members
			.iter()
			.flat_map(|m| m.meters.iter().map(move |meter| (m, meter)))
			.filter(|(_, meter)| !meter.dispatch)
			.map(|(m, meter)| {
				(
					format!("{}/{}", m.name, meter.key),
					meter.power(hour, &weather, false),
					meter.power(hour, &weather, true),
				)
			})
			.collect()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_demo_community_has_what_the_design_asks_for() {
		let c = community(DEMO_HOUSEHOLDS);
		let homes: Vec<_> = c.members.iter().filter(|m| m.name.starts_with("home-")).collect();
		assert_eq!(homes.len(), 30);
		assert_eq!(homes.iter().filter(|m| m.meters[0].pv_kwp > 0.0).count(), 10);
		assert_eq!(homes.iter().filter(|m| m.storage.is_some()).count(), 3);
		for (name, source) in [
			("wind-turbine", EnergySource::Wind),
			("hydro-plant", EnergySource::Hydro),
			("gas-peaker", EnergySource::Thermal),
		] {
			let m = c.members.iter().find(|m| m.name == name).unwrap();
			assert_eq!(m.plant.as_ref().map(|p| p.source), Some(source));
		}
		assert!(c.members.iter().any(|m| m.name == "community-battery" && m.storage.is_some()));
		assert_eq!(c.zones.len(), 3);
		assert_eq!(c.zones[2].parent, Some(0), "the farm is a microgrid in the village");
		// Every meter is unique per member, and every plant, unit and flexible load names one.
		for m in &c.members {
			let has = |key| m.meters.iter().any(|meter| meter.key == key);
			assert!(m.plant.iter().all(|p| has(p.meter)));
			assert!(m.storage.iter().all(|s| has(s.meter)));
			assert!(m.flexible.iter().all(|f| has(f.meter)));
		}
		assert_eq!(c, community(DEMO_HOUSEHOLDS), "the same community on every run");
		assert_eq!(community(1_000).members.len(), 1_000 + 7);
	}

	#[test]
	fn a_large_community_splits_into_neighbourhoods_within_the_runtimes_bounds() {
		use frame_support::traits::Get;
		type Balancing = <daeg_runtime::Runtime as pallet_balancing::Config>::MaxUnitsPerZone;
		type Participants = <daeg_runtime::Runtime as pallet_balancing::Config>::MaxParticipants;
		let c = community(1_000);
		assert!(c.zones.len() <= usize::from(daeg_runtime::configs::ZONES));
		for z in &c.zones {
			let count = |f: fn(&Member) -> bool| {
				c.members.iter().filter(|m| m.zone == z.id && f(m)).count() as u32
			};
			assert!(
				count(|m| m.storage.is_some()) <= Balancing::get(),
				"{}: too many units",
				z.name
			);
			assert!(
				count(|m| m.flexible.is_some()) <= Participants::get(),
				"{}: too many participants",
				z.name
			);
			assert!(count(|_| true) > 0, "{} has members", z.name);
			// Every zone but the first two hangs off one of them by a link or as a microgrid.
			assert!(
				z.id < 2 || z.parent.is_some() || c.links.iter().any(|l| l.b == z.id && l.a < 2),
				"{} is connected",
				z.name
			);
		}
		assert_eq!(c.members.iter().filter(|m| m.name.starts_with("home-")).count(), 1_000);
	}

	#[test]
	fn meters_follow_their_profiles_with_their_own_variation() {
		let p = Profiles::embedded().unwrap();
		let c = community(DEMO_HOUSEHOLDS);
		// Noon on 21 June: PV homes export, the turbine and the hydro plant produce.
		let noon = profiles::YEAR_START_MS + (171 * 24 + 12) * profiles::HOUR_MS;
		let powers = c.powers(&p, noon);
		let of = |name: &str| powers.iter().find(|(n, ..)| n == name).unwrap().clone();
		let pv_home = c.members.iter().find(|m| m.meters[0].pv_kwp > 4.0).unwrap();
		let (_, forecast, actual) = of(&format!("{}/home", pv_home.name));
		assert!(forecast < 0.0 && actual < 0.0, "a PV home exports at noon: {forecast} {actual}");
		assert_ne!(forecast, actual);
		let (_, hydro, _) = of("hydro-plant/main");
		assert!(hydro < -5_000.0);
		// Dispatchable meters are not planned here.
		assert!(powers.iter().all(|(n, ..)| n != "community-battery/main"));
		// Over a year, actual loads average their forecast within a few percent.
		let home = "home-0002/home";
		let (mut f, mut a) = (0.0, 0.0);
		for h in 0..profiles::HOURS as u64 {
			let (_, x, y) = c
				.powers(&p, profiles::YEAR_START_MS + h * profiles::HOUR_MS)
				.into_iter()
				.find(|(n, ..)| n == home)
				.unwrap();
			f += x;
			a += y;
		}
		assert!((a / f - 1.0).abs() < 0.02, "{a} vs {f}");
	}

	#[test]
	fn no_meter_measures_more_than_its_connection_carries() {
		let p = Profiles::embedded().unwrap();
		let c = community(DEMO_HOUSEHOLDS);
		let max: std::collections::HashMap<_, _> = c
			.members
			.iter()
			.flat_map(|m| m.meters.iter().map(move |x| (format!("{}/{}", m.name, x.key), x.max_w)))
			.collect();
		for h in 0..profiles::HOURS as u64 {
			for (name, _, actual) in c.powers(&p, profiles::YEAR_START_MS + h * profiles::HOUR_MS) {
				assert!(actual.abs() <= max[&name] as f64, "{name} in hour {h}: {actual} W");
			}
		}
	}
}
