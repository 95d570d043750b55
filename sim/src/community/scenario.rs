//! The scenario file (`scenarios/community.toml`, documented in `docs/scenarios.md`): a
//! community as data, and how a community of any number of households is built from it.
//!
//! The file is read by the demo (through `daeg-sim community describe|plan`) and by the
//! simulation, so the two run the same community. The file's sizes carry their units in their
//! names; the built [`Community`] carries the chain's units.

use super::{
	Community, Flexible, Grid, Link, LoadProfile, Member, Meter, Plant, Rng, Storage, Zone,
};
use daeg_primitives::{
	balancing::BreakerSettings, consumption::MeterKind, pricing::TariffParameters,
	production::Location, EnergySource, PricePerKWh,
};
use serde::Deserialize;
use sp_runtime::Perbill;
use std::path::Path;

/// The demo community's scenario, compiled into the binary: what a run without `--scenario`
/// reads.
const DEMO: &str = include_str!("../../../scenarios/community.toml");

/// A thousandth of a DAEG: the scenario's prices are in it.
pub const MILLI: u128 = daeg_runtime::UNIT / 1_000;

/// A scenario file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
	/// What it is called.
	pub name: String,
	/// The households when a run names none.
	pub households: u32,
	/// The households the shared sizes are for.
	reference_households: u32,
	/// The seed of the households' draws.
	seed: u64,
	/// Where every plant is registered.
	site: Location,
	grid: GridFile,
	zones: Vec<ZoneFile>,
	#[serde(default)]
	links: Vec<LinkFile>,
	homes: Homes,
	#[serde(default)]
	members: Vec<MemberFile>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GridFile {
	peak_share_percent: u32,
	commissioned_days_before_start: u32,
	certified_days: u32,
	storage_start_percent: u32,
	breakers: BreakersFile,
	tariff_milli_daeg_per_kwh: TariffFile,
	carbon_g_per_kwh: CarbonFile,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BreakersFile {
	cap_intervals: Option<u32>,
	imbalance_share_percent: Option<u32>,
	anomalous_share_percent: Option<u32>,
	min_meters: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TariffFile {
	reference: u32,
	grid_fees: [u32; 24],
	congestion: u32,
	scarcity: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CarbonFile {
	solar: u32,
	wind: u32,
	hydro: u32,
	thermal: u32,
	microgrid: u32,
	residual_mix: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ZoneFile {
	id: u16,
	name: String,
	feeder_kw: f64,
	parent: Option<u16>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkFile {
	a: u16,
	b: u16,
	a_to_b_kw: f64,
	b_to_a_kw: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Homes {
	meter_max_kw: f64,
	meter_map: String,
	pv_meter_map: String,
	annual_kwh: [f64; 2],
	pv_kwp: [f64; 2],
	bid_milli_daeg_per_kwh: [f64; 2],
	ask_milli_daeg_per_kwh: [f64; 2],
	battery_share_percent: u32,
	battery_max_per_zone: u32,
	battery_kwh: f64,
	battery_kw: f64,
	battery_efficiency_percent: u32,
	battery_meter_map: String,
	flexible_every: u32,
	flexible_kw: f64,
	flexible_max_hours: u8,
	neighbourhood_homes: u32,
	neighbourhood_feeder_kw_per_home: f64,
	neighbourhood_link_kw_per_home: f64,
	areas: Vec<Area>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Area {
	zone: u16,
	weight: u32,
	pv_share_percent: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberFile {
	name: String,
	zone: u16,
	bid_milli_daeg_per_kwh: Option<u32>,
	ask_milli_daeg_per_kwh: Option<u32>,
	meters: Vec<MeterFile>,
	plant: Option<PlantFile>,
	storage: Option<StorageFile>,
	flexible: Option<FlexibleFile>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MeterFile {
	key: String,
	kind: MeterKind,
	max_kw: f64,
	map: String,
	load: Option<LoadFile>,
	#[serde(default)]
	pv_kwp: f64,
	#[serde(default)]
	wind_kw: f64,
	#[serde(default)]
	hydro_kw: f64,
	#[serde(default)]
	dispatch: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LoadFile {
	profile: LoadProfile,
	annual_kwh: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlantFile {
	meter: String,
	source: EnergySource,
	capacity_kw: f64,
	#[serde(default)]
	dispatchable: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StorageFile {
	meter: String,
	kw: f64,
	hours: f64,
	efficiency_percent: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FlexibleFile {
	meter: String,
	kw: f64,
	max_hours: u8,
}

/// `kw` in watts.
fn watts(kw: f64) -> u64 {
	(kw * 1_000.0).round() as u64
}

/// A price of the file in the chain's unit.
fn price(milli: u32) -> PricePerKWh {
	PricePerKWh(u128::from(milli).saturating_mul(MILLI))
}

impl Scenario {
	/// The demo community's scenario.
	pub fn demo() -> Result<Self, String> {
		Self::parse(DEMO)
	}

	/// The scenario in `path`, or with none the demo's.
	pub fn load(path: Option<&Path>) -> Result<Self, String> {
		match path {
			None => Self::demo(),
			Some(p) => std::fs::read_to_string(p)
				.map_err(|e| format!("{}: {e}", p.display()))
				.and_then(|text| Self::parse(&text).map_err(|e| format!("{}: {e}", p.display()))),
		}
	}

	/// Parses a scenario file's text.
	pub fn parse(text: &str) -> Result<Self, String> {
		let s: Self = toml::from_str(text).map_err(|e| e.to_string())?;
		if s.reference_households == 0 || s.homes.areas.iter().all(|a| a.weight == 0) {
			return Err("reference_households and some area's weight must be positive".into());
		}
		if s.homes.flexible_every == 0 || s.homes.neighbourhood_homes == 0 {
			return Err("flexible_every and neighbourhood_homes must be positive".into());
		}
		Ok(s)
	}

	/// The community of `households` households (at least one per area).
	pub fn community(&self, households: u32) -> Result<Community, String> {
		let n = households.max(self.homes.areas.len() as u32);
		// A shared size for `n` households: scaled from the reference, rounded to `step`.
		let scale = |x: f64, step: f64| {
			((x * f64::from(n) / f64::from(self.reference_households)) / step).round().max(1.0)
				* step
		};
		let mut zones: Vec<Zone> = self
			.zones
			.iter()
			.map(|z| Zone {
				id: z.id,
				name: z.name.clone(),
				capacity_w: watts(scale(z.feeder_kw, 5.0)),
				parent: z.parent,
			})
			.collect();
		let mut links: Vec<Link> = self
			.links
			.iter()
			.map(|l| Link {
				a: l.a,
				b: l.b,
				a_to_b_w: watts(scale(l.a_to_b_kw, 1.0)),
				b_to_a_w: watts(scale(l.b_to_a_kw, 1.0)),
			})
			.collect();
		let mut seed = 0u64;
		let mut next_seed = || {
			seed += 10;
			seed
		};
		let mut members = Vec::new();
		let h = &self.homes;
		let mut rng = Rng(self.seed);
		let total_weight: u32 = h.areas.iter().map(|a| a.weight).sum();
		let (mut first, mut cumulative) = (0u32, 0u32);
		for (k, area) in h.areas.iter().enumerate() {
			cumulative += area.weight;
			let end =
				if k + 1 == h.areas.len() { n } else { (n * cumulative).div_ceil(total_weight) };
			let homes = end.saturating_sub(first);
			let area_name = self
				.zones
				.iter()
				.find(|z| z.id == area.zone)
				.map(|z| z.name.clone())
				.ok_or_else(|| format!("area zone {} is not a zone", area.zone))?;
			for i in first..end {
				let home = i - first;
				let (chunk, k) = (home / h.neighbourhood_homes, home % h.neighbourhood_homes);
				let size =
					homes.saturating_sub(chunk * h.neighbourhood_homes).min(h.neighbourhood_homes);
				// Homes beyond a feeder's worth form neighbourhoods of their own, each a zone
				// linked to its area's.
				let zone = if chunk == 0 {
					area.zone
				} else {
					let name = format!("{area_name} {}", chunk + 1);
					match zones.iter().find(|z| z.name == name) {
						Some(z) => z.id,
						None => {
							let id = u16::try_from(zones.len()).map_err(|e| e.to_string())?;
							let per_home =
								|kw: f64| watts((kw * f64::from(size) / 5.0).round() * 5.0);
							zones.push(Zone {
								id,
								name,
								capacity_w: per_home(h.neighbourhood_feeder_kw_per_home),
								parent: None,
							});
							let link = per_home(h.neighbourhood_link_kw_per_home);
							links.push(Link {
								a: area.zone,
								b: id,
								a_to_b_w: link,
								b_to_a_w: link,
							});
							id
						}
					}
				};
				let pv = k * 100 < size * area.pv_share_percent;
				let battery =
					k < (size * h.battery_share_percent).div_ceil(100).min(h.battery_max_per_zone);
				let [lo, hi] = h.pv_kwp;
				let pv_kwp = if pv { (rng.between(lo, hi) * 10.0).round() / 10.0 } else { 0.0 };
				let annual = rng.between(h.annual_kwh[0], h.annual_kwh[1]).round();
				let bid =
					rng.between(h.bid_milli_daeg_per_kwh[0], h.bid_milli_daeg_per_kwh[1]).round();
				let ask =
					rng.between(h.ask_milli_daeg_per_kwh[0], h.ask_milli_daeg_per_kwh[1]).round();
				let (kind, map) = if pv {
					(MeterKind::Bidirectional, &h.pv_meter_map)
				} else {
					(MeterKind::Consumption, &h.meter_map)
				};
				let meter = Meter {
					load: Some((LoadProfile::Household, annual)),
					pv_kwp,
					..Meter::new("home", kind, watts(h.meter_max_kw), map, next_seed())
				};
				let mut member = Member {
					name: format!("home-{:04}", i + 1),
					zone,
					meters: vec![meter],
					plant: pv.then(|| Plant {
						meter: "home".into(),
						source: EnergySource::Solar,
						capacity_w: watts(pv_kwp),
						dispatchable: false,
					}),
					storage: None,
					flexible: (i % h.flexible_every == 0).then(|| Flexible {
						meter: "home".into(),
						power_w: watts(h.flexible_kw),
						max_hours: h.flexible_max_hours,
					}),
					bid_milli: Some(bid as u32),
					ask_milli: pv.then_some(ask as u32),
				};
				if pv && battery {
					let power = watts(h.battery_kw);
					member.meters.push(Meter {
						dispatch: true,
						..Meter::new(
							"battery",
							MeterKind::Storage,
							power,
							&h.battery_meter_map,
							next_seed(),
						)
					});
					member.storage = Some(self.storage(
						"battery",
						watts(h.battery_kwh),
						power,
						h.battery_efficiency_percent,
					));
				}
				members.push(member);
			}
			first = end;
		}
		for m in &self.members {
			let meters = m
				.meters
				.iter()
				.map(|x| Meter {
					load: x.load.as_ref().map(|l| (l.profile, scale(l.annual_kwh, 100.0))),
					pv_kwp: if x.pv_kwp > 0.0 { scale(x.pv_kwp, 1.0) } else { 0.0 },
					wind_kw: if x.wind_kw > 0.0 { scale(x.wind_kw, 1.0) } else { 0.0 },
					hydro_kw: if x.hydro_kw > 0.0 { scale(x.hydro_kw, 1.0) } else { 0.0 },
					dispatch: x.dispatch,
					..Meter::new(&x.key, x.kind, watts(scale(x.max_kw, 1.0)), &x.map, next_seed())
				})
				.collect();
			members.push(Member {
				name: m.name.clone(),
				zone: m.zone,
				meters,
				plant: m.plant.as_ref().map(|p| Plant {
					meter: p.meter.clone(),
					source: p.source,
					capacity_w: watts(scale(p.capacity_kw, 1.0)),
					dispatchable: p.dispatchable,
				}),
				storage: m.storage.as_ref().map(|s| {
					let kw = scale(s.kw, 1.0);
					self.storage(&s.meter, watts(kw * s.hours), watts(kw), s.efficiency_percent)
				}),
				flexible: m.flexible.as_ref().map(|f| Flexible {
					meter: f.meter.clone(),
					power_w: watts(scale(f.kw, 1.0)),
					max_hours: f.max_hours,
				}),
				bid_milli: m.bid_milli_daeg_per_kwh,
				ask_milli: m.ask_milli_daeg_per_kwh,
			});
		}
		let community =
			Community { name: self.name.clone(), zones, links, members, grid: self.grid() };
		community.check()?;
		Ok(community)
	}

	/// A storage unit measured by `meter`, starting as full as the grid says.
	fn storage(&self, meter: &str, capacity_wh: u64, power_w: u64, efficiency: u32) -> Storage {
		Storage {
			meter: meter.into(),
			capacity_wh,
			power_w,
			efficiency_ppb: Perbill::from_percent(efficiency).deconstruct(),
			start_wh: capacity_wh.saturating_mul(u64::from(self.grid.storage_start_percent)) / 100,
		}
	}

	/// The grid's settings in the chain's units.
	fn grid(&self) -> Grid {
		let g = &self.grid;
		let b = &g.breakers;
		let t = &g.tariff_milli_daeg_per_kwh;
		let c = &g.carbon_g_per_kwh;
		Grid {
			site: self.site,
			peak_share: Perbill::from_percent(g.peak_share_percent),
			commissioned_days_before_start: g.commissioned_days_before_start,
			certified_days: g.certified_days,
			breakers: BreakerSettings {
				cap_intervals: b.cap_intervals,
				imbalance_share: b.imbalance_share_percent.map(Perbill::from_percent),
				anomalous_share: b.anomalous_share_percent.map(Perbill::from_percent),
				min_meters: b.min_meters,
			},
			tariff: TariffParameters {
				reference: price(t.reference),
				grid_fees: t.grid_fees.map(price),
				congestion: price(t.congestion),
				scarcity: price(t.scarcity),
			},
			carbon: vec![
				(Some(EnergySource::Solar), c.solar),
				(Some(EnergySource::Wind), c.wind),
				(Some(EnergySource::Hydro), c.hydro),
				(Some(EnergySource::Thermal), c.thermal),
				(Some(EnergySource::Microgrid), c.microgrid),
				(None, c.residual_mix),
			],
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_file_sets_the_grid_in_the_chains_units() {
		let c = Scenario::demo().unwrap().community(30).unwrap();
		assert_eq!(c.grid.peak_share, Perbill::from_percent(80));
		assert_eq!(
			c.grid.breakers,
			BreakerSettings {
				cap_intervals: Some(4),
				imbalance_share: None,
				anomalous_share: Some(Perbill::from_percent(30)),
				min_meters: 5,
			}
		);
		assert_eq!(c.grid.tariff, daeg_runtime::genesis_config_presets::dev_tariff());
		let battery = c.members.iter().find(|m| m.name == "community-battery").unwrap();
		let s = battery.storage.as_ref().unwrap();
		assert_eq!((s.capacity_wh, s.power_w, s.start_wh), (200_000, 50_000, 100_000));
	}

	#[test]
	fn shared_sizes_scale_with_the_households() {
		let s = Scenario::demo().unwrap();
		let (small, large) = (s.community(30).unwrap(), s.community(300).unwrap());
		let plant = |c: &Community, name: &str| {
			c.members.iter().find(|m| m.name == name).and_then(|m| m.plant.clone()).unwrap()
		};
		assert_eq!(plant(&small, "wind-turbine").capacity_w, 60_000);
		assert_eq!(plant(&large, "wind-turbine").capacity_w, 600_000);
		assert_eq!(large.zones[0].capacity_w, 600_000);
		// A home's own sizes do not scale.
		assert_eq!(small.members[0].meters[0].max_w, large.members[0].meters[0].max_w);
	}

	#[test]
	fn a_bad_file_is_refused_with_the_reason() {
		let demo = DEMO.to_string();
		let err = |text: &str| Scenario::parse(text).and_then(|s| s.community(30)).unwrap_err();
		assert!(err(&demo.replace("seed = 2026", "seed = 2026\ncolour = 1")).contains("colour"));
		assert!(err(&demo.replace(
			"plant = { meter = \"main\", source = \"Wind\"",
			"plant = { meter = \"mast\", source = \"Wind\""
		))
		.contains("wind-turbine: no meter mast"));
		assert!(err(&demo.replace("name = \"bakery\"\nzone = 1", "name = \"bakery\"\nzone = 9"))
			.contains("bakery: zone 9 is not a zone"));
		assert!(err(&demo.replace("grid_fees = [50, 50,", "grid_fees = [50,")).contains("24"));
	}
}
