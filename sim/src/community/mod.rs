//! The energy community of the demo and of the simulation: its grid (zones, links, the
//! operators' settings), its members with their meters, plants, storage and flexible load, and
//! what each meter measures hour by hour, from the real profiles in `data/profiles.csv`; and
//! the community's behaviour, one implementation for both: the members' orders, the weather
//! oracle's forecast, and what the dispatchable units do.
//!
//! The community is data: a scenario file (`scenarios/community.toml`, read by [`scenario`]),
//! built for any number of households. The live demo reads it through `daeg-sim community
//! describe|plan|dispatch` (`scripts/demo`), the simulation directly.
//!
//! Variation: each meter's actual power differs from the profile forecast by a deterministic
//! factor per hour (15 % standard deviation for loads, 5 % for PV, wind and hydro), the same on
//! every run, so that the market trades forecasts and balancing and settlement see the
//! difference.

pub mod cli;
pub mod profiles;
pub mod scenario;

use daeg_primitives::{
	balancing::{Action, BreakerSettings},
	consumption::MeterKind,
	pricing::{Side, TariffParameters, Weather},
	production::Location,
	Energy, EnergySource, Irradiance, Temperature, WindSpeed, HOUR_MS,
};
use profiles::{Hour, Profiles};
use serde::{Deserialize, Serialize};
use sp_runtime::Perbill;

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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
	pub key: String,
	/// Its kind on chain.
	pub kind: MeterKind,
	/// Its maximum power on chain, W.
	pub max_w: u64,
	/// The register map the simulated meter speaks (meter-oracle/maps).
	pub map: String,
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
	pub meter: String,
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
	pub meter: String,
	/// Its capacity, Wh.
	pub capacity_wh: u64,
	/// Its charge and discharge power, W.
	pub power_w: u64,
	/// Its round-trip efficiency, parts per billion.
	pub efficiency_ppb: u32,
	/// Its charge when it joins, Wh.
	pub start_wh: u64,
}

/// A member's flexible load, enrolled in demand response.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Flexible {
	/// The meter whose load it sheds.
	pub meter: String,
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
	/// What its scenario calls it.
	pub name: String,
	/// The grid's zones.
	pub zones: Vec<Zone>,
	/// The links between them.
	pub links: Vec<Link>,
	/// Its members.
	pub members: Vec<Member>,
	/// What the operators set up before anyone joins.
	pub grid: Grid,
}

/// The operators' settings of the community's grid, in the chain's units.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Grid {
	/// Where every plant is registered: where the profiles' weather was measured.
	pub site: Location,
	/// The share of a zone's feeder above which demand response starts.
	pub peak_share: Perbill,
	/// Plants were commissioned this many days before the community joins.
	pub commissioned_days_before_start: u32,
	/// Plants are certified for this many days from then.
	pub certified_days: u32,
	/// The circuit breakers' thresholds.
	pub breakers: BreakerSettings,
	/// The tariff where the auction sets no price.
	pub tariff: TariffParameters,
	/// The carbon intensity the operators set, g CO₂/kWh: per source, and (`None`) of the
	/// residual mix, what consumption not bought in the market is counted at.
	pub carbon: Vec<(Option<EnergySource>, u32)>,
}

/// A small deterministic generator (SplitMix64): the same community on every run.
pub(crate) struct Rng(pub(crate) u64);

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

	pub(crate) fn between(&mut self, lo: f64, hi: f64) -> f64 {
		lo + (hi - lo) * self.unit()
	}
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
	fn new(key: &str, kind: MeterKind, max_w: u64, map: &str, seed: u64) -> Self {
		Self {
			key: key.into(),
			kind,
			max_w,
			map: map.into(),
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
	pub meter: String,
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
			|watts: f64| (watts.abs().round() * interval_ms as f64 / HOUR_MS as f64).round() as u64;
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
						plant.meter.clone(),
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
					orders.push(order(Side::Buy, meter.key.clone(), wh, bid))
				}
				(_, Some(ask), Some(_)) if wh > 0 && forecast < 0.0 => {
					orders.push(order(Side::Sell, meter.key.clone(), wh, ask))
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

	/// The weather the community's oracle forecasts for the interval starting at grid time
	/// `grid_ms`, in every zone: the profiles' measured weather of that hour.
	pub fn forecast(profiles: &Profiles, grid_ms: u64) -> Weather {
		let w = profiles.hour(Profiles::hour_of(grid_ms));
		Weather {
			irradiance: Irradiance(w.ghi_w_m2.max(0.0).round() as u32),
			wind_speed: WindSpeed((w.wind_m_s.max(0.0) * 1_000.0).round() as u32),
			temperature: Temperature((w.temp_c * 1_000.0).round() as i32),
		}
	}

	/// What each dispatchable meter measures over a cleared interval, as `("member/meter",
	/// import Wh, negative: export)`: a storage unit's meter what balancing `scheduled` it to
	/// do, a dispatchable plant's meter what its asks `sold` (each by its meter's name; what
	/// other meters sold follows their profiles, not dispatch).
	pub fn dispatched(
		&self,
		scheduled: impl IntoIterator<Item = (String, Action)>,
		sold: impl IntoIterator<Item = (String, Energy)>,
	) -> Vec<(String, i64)> {
		let signed = |e: Energy, sign: i64| i64::try_from(e.0).unwrap_or(i64::MAX) * sign;
		let mut out: Vec<(String, i64)> = scheduled
			.into_iter()
			.map(|(meter, action)| match action {
				Action::Charge(e) => (meter, signed(e, 1)),
				Action::Discharge(e) => (meter, signed(e, -1)),
				Action::Idle => (meter, 0),
			})
			.collect();
		let dispatchable: Vec<String> = self
			.members
			.iter()
			.filter_map(|m| {
				let plant = m.plant.as_ref().filter(|p| p.dispatchable)?;
				Some(format!("{}/{}", m.name, plant.meter))
			})
			.collect();
		for (meter, energy) in sold {
			if !dispatchable.contains(&meter) {
				continue;
			}
			match out.iter_mut().find(|(name, _)| *name == meter) {
				Some((_, wh)) => *wh = wh.saturating_add(signed(energy, -1)),
				None => out.push((meter, signed(energy, -1))),
			}
		}
		out
	}

	/// Checks that every zone, parent and link end is a zone, every member's zone is one, and
	/// every plant, storage unit and flexible load names one of its member's meters.
	pub fn check(&self) -> Result<(), String> {
		let zone = |id: u16| self.zones.iter().any(|z| z.id == id);
		for z in &self.zones {
			if z.parent.is_some_and(|p| !zone(p)) {
				return Err(format!("zone {}: its parent is not a zone", z.name));
			}
		}
		if let Some(l) = self.links.iter().find(|l| !zone(l.a) || !zone(l.b)) {
			return Err(format!("link {}–{}: not between zones", l.a, l.b));
		}
		for m in &self.members {
			if !zone(m.zone) {
				return Err(format!("{}: zone {} is not a zone", m.name, m.zone));
			}
			let has = |key: &str| m.meters.iter().any(|meter| meter.key == key);
			let named = m.plant.iter().map(|p| &p.meter);
			let named = named.chain(m.storage.iter().map(|s| &s.meter));
			if let Some(key) = named.chain(m.flexible.iter().map(|f| &f.meter)).find(|k| !has(k)) {
				return Err(format!("{}: no meter {key}", m.name));
			}
			let mut keys: Vec<&str> = m.meters.iter().map(|x| x.key.as_str()).collect();
			keys.sort_unstable();
			if keys.windows(2).any(|w| w[0] == w[1]) {
				return Err(format!("{}: two meters of one name", m.name));
			}
		}
		Ok(())
	}
}

#[cfg(test)]
pub(crate) mod tests {
	use super::*;

	/// The demo scenario's community of `households` households.
	pub(crate) fn demo(households: u32) -> Community {
		scenario::Scenario::demo().and_then(|s| s.community(households)).unwrap()
	}

	#[test]
	fn the_demo_community_has_what_the_design_asks_for() {
		let c = demo(30);
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
		assert_eq!(c.check(), Ok(()));
		assert_eq!(c, demo(30), "the same community on every run");
		assert_eq!(demo(1_000).members.len(), 1_000 + 7);
	}

	#[test]
	fn a_large_community_splits_into_neighbourhoods_within_the_runtimes_bounds() {
		use frame_support::traits::Get;
		type Balancing = <daeg_runtime::Runtime as pallet_balancing::Config>::MaxUnitsPerZone;
		type Participants = <daeg_runtime::Runtime as pallet_balancing::Config>::MaxParticipants;
		let c = demo(1_000);
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
		let c = demo(30);
		// Noon on 21 June: PV homes export, the turbine and the hydro plant produce.
		let noon = profiles::YEAR_START_MS + (171 * 24 + 12) * HOUR_MS;
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
				.powers(&p, profiles::YEAR_START_MS + h * HOUR_MS)
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
		let c = demo(30);
		let max: std::collections::HashMap<_, _> = c
			.members
			.iter()
			.flat_map(|m| m.meters.iter().map(move |x| (format!("{}/{}", m.name, x.key), x.max_w)))
			.collect();
		for h in 0..profiles::HOURS as u64 {
			for (name, _, actual) in c.powers(&p, profiles::YEAR_START_MS + h * HOUR_MS) {
				assert!(actual.abs() <= max[&name] as f64, "{name} in hour {h}: {actual} W");
			}
		}
	}
}
