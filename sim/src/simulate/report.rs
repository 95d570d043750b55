//! What a simulation measured, folded from the runtime's events: a row per interval, each
//! member's bill, and the summary figures.

use super::world::World;
use daeg_primitives::{EnergySource, Money};
use daeg_runtime::{AccountId, Runtime, RuntimeEvent};
use serde::Serialize;
use std::{
	collections::{BTreeMap, HashMap},
	fmt::Write as _,
};

/// The sources production is reported by, in the CSV's order.
pub const SOURCES: [EnergySource; 5] = [
	EnergySource::Solar,
	EnergySource::Wind,
	EnergySource::Hydro,
	EnergySource::Thermal,
	EnergySource::Microgrid,
];
/// A DAEG in the chain's smallest unit.
const UNIT: f64 = daeg_runtime::UNIT as f64;

/// One interval's results.
#[derive(Clone, Debug, Default)]
pub struct Row {
	/// Metered import of every meter but storage, Wh.
	pub consumption: u64,
	/// Metered export of the plants' meters by source ([`SOURCES`]), Wh.
	pub production: [u64; SOURCES.len()],
	/// Storage's metered import and export, Wh.
	pub storage: (u64, u64),
	/// Energy the zones' bids bought in the auction, Wh.
	pub traded: u64,
	/// Each zone's clearing price (`None`: not reached) and tariff, per kWh.
	pub prices: Vec<(Option<Money>, Money)>,
	/// The price times the energy bought, summed over zones (for the average price).
	pub cost: u128,
	/// Shortfall and surplus balancing could not cover, Wh.
	pub unserved: u64,
	/// Surplus nothing took, Wh.
	pub curtailed: u64,
	/// Energy certificates of origin were issued for, Wh.
	pub certified: u64,
	/// CO₂ those certificates avoided against the residual mix, g.
	pub avoided_g: u64,
	/// Meter values recorded, and how many were substitutes.
	pub readings: (u32, u32),
	/// Demand-response events called.
	pub demand_response: u32,
	/// Breakers tripped.
	pub breakers: u32,
	/// Meter values flagged anomalous.
	pub anomalies: u32,
}

/// A member's bill over the run.
#[derive(Clone, Debug, Default)]
pub struct Bill {
	/// Metered import and export, Wh.
	pub energy: (u64, u64),
	/// Charged and credited in settlement.
	pub money: (Money, Money),
}

/// The results so far.
pub struct Results {
	/// Per interval.
	pub rows: HashMap<u32, Row>,
	/// Per member (index).
	pub bills: Vec<Bill>,
	zones: usize,
	/// Meter id → (member, the plant source it measures, whether it is storage).
	meters: HashMap<u64, (usize, Option<usize>, bool)>,
	accounts: HashMap<AccountId, usize>,
	residual: u32,
	interval_ms: u64,
	/// Meters suspended for anomalies.
	suspended: u64,
	/// Anomalous values by what the meter measures and the anomaly.
	anomaly_kinds: BTreeMap<String, u64>,
}

impl Results {
	/// Empty results for `world`'s community.
	pub fn new(world: &mut World) -> Self {
		let c = world.community();
		let mut meters = HashMap::new();
		for m in world.meters() {
			let member = &c.members[m.member];
			let source = member
				.plant
				.as_ref()
				.filter(|p| p.meter == m.key)
				.and_then(|p| SOURCES.iter().position(|s| *s == p.source));
			let storage = member.storage.as_ref().is_some_and(|s| s.meter == m.key);
			meters.insert(m.id.0, (m.member, source, storage));
		}
		let zones = c.zones.len();
		let bills = vec![Bill::default(); c.members.len()];
		let accounts = world.accounts().iter().cloned().enumerate().map(|(i, a)| (a, i)).collect();
		let residual = world.read(|| pallet_consumption::ResidualIntensity::<Runtime>::get().0);
		Self {
			rows: HashMap::new(),
			bills,
			zones,
			meters,
			accounts,
			residual,
			interval_ms: world.interval_ms(),
			suspended: 0,
			anomaly_kinds: BTreeMap::new(),
		}
	}

	fn row(&mut self, interval: u32) -> &mut Row {
		let zones = self.zones;
		self.rows
			.entry(interval)
			.or_insert_with(|| Row { prices: vec![(None, 0); zones], ..Default::default() })
	}

	/// Folds a block's events.
	pub fn fold(&mut self, events: Vec<RuntimeEvent>) {
		use pallet_balancing::Event as B;
		use pallet_consumption::Event as C;
		use pallet_pricing::Event as P;
		use pallet_production::Event as Pr;
		for event in events {
			match event {
				RuntimeEvent::Consumption(C::IntervalRecorded {
					meter,
					interval,
					imported,
					exported,
					quality,
				}) => {
					let Some(&(member, source, storage)) = self.meters.get(&meter.0) else {
						continue;
					};
					let bill = &mut self.bills[member];
					bill.energy.0 = bill.energy.0.saturating_add(imported.0);
					bill.energy.1 = bill.energy.1.saturating_add(exported.0);
					let row = self.row(interval.0);
					row.readings.0 += 1;
					if quality != daeg_primitives::consumption::Quality::Measured {
						row.readings.1 += 1;
					}
					if storage {
						row.storage.0 += imported.0;
						row.storage.1 += exported.0;
					} else {
						row.consumption += imported.0;
						if let Some(s) = source {
							row.production[s] += exported.0;
						}
					}
				}
				RuntimeEvent::Pricing(P::ZoneCleared { interval, zone, result }) => {
					let row = self.row(interval.0);
					if let Some(slot) = row.prices.get_mut(usize::from(zone.0)) {
						*slot = (result.price.map(|p| p.0), result.tariff.0);
					}
					row.traded += result.bought.0;
					row.cost += result.price.map_or(0, |p| p.0) * u128::from(result.bought.0);
				}
				RuntimeEvent::Balancing(B::ZoneBalanced { interval, report, .. }) => {
					let row = self.row(interval.0);
					row.unserved += report.unserved.0;
					row.curtailed += report.curtailed.0;
				}
				RuntimeEvent::Consumption(C::ReadingAnomaly {
					meter, interval, anomaly, ..
				}) => {
					self.row(interval.0).anomalies += 1;
					let what = match self.meters.get(&meter.0) {
						Some((_, _, true)) => "storage".into(),
						Some((_, Some(source), _)) => format!("{:?}", SOURCES[*source]),
						Some((_, None, _)) => "load".into(),
						None => "unknown".into(),
					};
					*self.anomaly_kinds.entry(format!("{what} {anomaly:?}")).or_default() += 1;
				}
				RuntimeEvent::Consumption(C::MeterSuspendedForAnomalies { .. }) => {
					self.suspended += 1
				}
				RuntimeEvent::Balancing(B::DemandResponseCalled { interval, .. }) => {
					self.row(interval.0).demand_response += 1
				}
				RuntimeEvent::Balancing(B::BreakerTripped { interval, .. }) => {
					self.row(interval.0).breakers += 1
				}
				RuntimeEvent::Production(Pr::CertificateIssued {
					id, energy, intensity, ..
				}) => {
					let avoided =
						u64::from(self.residual.saturating_sub(intensity.0)) * energy.0 / 1_000;
					// The interval of the certificate's hour's start.
					let start_ms = u64::from(id.hour.0) * 3_600_000;
					let row =
						self.row(u32::try_from(start_ms / self.interval_ms).unwrap_or(u32::MAX));
					row.certified += energy.0;
					row.avoided_g += avoided;
				}
				RuntimeEvent::Pricing(P::Settled { who, line, .. }) => {
					if let Some(&member) = self.accounts.get(&who) {
						let bill = &mut self.bills[member];
						bill.money.0 = bill.money.0.saturating_add(line.charged());
						bill.money.1 = bill.money.1.saturating_add(line.credited());
					}
				}
				_ => {}
			}
		}
	}

	/// `intervals.csv`: a row per interval of `intervals`.
	pub fn intervals_csv(&self, intervals: &[u32], interval_ms: u64) -> String {
		let mut out = String::from("interval,start_utc,consumption_wh");
		for s in SOURCES {
			let _ = write!(out, ",{}_wh", format!("{s:?}").to_lowercase());
		}
		out.push_str(",storage_charge_wh,storage_discharge_wh,traded_wh,unserved_wh,curtailed_wh,certified_wh,co2_avoided_g,readings,substituted,anomalies,demand_response,breakers");
		for z in 0..self.zones {
			let _ = write!(out, ",price_zone{z},tariff_zone{z}");
		}
		out.push('\n');
		let empty = Row { prices: vec![(None, 0); self.zones], ..Default::default() };
		for &i in intervals {
			let r = self.rows.get(&i).unwrap_or(&empty);
			let _ = write!(out, "{i},{},{}", utc(u64::from(i) * interval_ms), r.consumption);
			for p in r.production {
				let _ = write!(out, ",{p}");
			}
			let _ = write!(
				out,
				",{},{},{},{},{},{},{},{},{},{},{},{}",
				r.storage.0,
				r.storage.1,
				r.traded,
				r.unserved,
				r.curtailed,
				r.certified,
				r.avoided_g,
				r.readings.0,
				r.readings.1,
				r.anomalies,
				r.demand_response,
				r.breakers
			);
			for (price, tariff) in &r.prices {
				match price {
					Some(p) => {
						let _ = write!(out, ",{:.6}", *p as f64 / UNIT);
					}
					None => out.push(','),
				}
				let _ = write!(out, ",{:.6}", *tariff as f64 / UNIT);
			}
			out.push('\n');
		}
		out
	}

	/// `bills.csv`: each member's energy and money.
	pub fn bills_csv(&self, names: &[String]) -> String {
		let mut out =
			String::from("member,imported_wh,exported_wh,charged_daeg,credited_daeg,net_daeg\n");
		for (name, b) in names.iter().zip(&self.bills) {
			let (charged, credited) = (b.money.0 as f64 / UNIT, b.money.1 as f64 / UNIT);
			let _ = writeln!(
				out,
				"{name},{},{},{charged:.6},{credited:.6},{:.6}",
				b.energy.0,
				b.energy.1,
				charged - credited
			);
		}
		out
	}

	/// The summary over `intervals`.
	pub fn summary(&self, intervals: &[u32], interval_ms: u64, intensities: &[u32]) -> Summary {
		let rows: Vec<&Row> = intervals.iter().filter_map(|i| self.rows.get(i)).collect();
		let sum = |f: &dyn Fn(&Row) -> u64| rows.iter().map(|r| f(r)).sum::<u64>();
		let consumption = sum(&|r| r.consumption);
		let unserved = sum(&|r| r.unserved);
		let traded = sum(&|r| r.traded);
		let cost: u128 = rows.iter().map(|r| r.cost).sum();
		let hours = interval_ms as f64 / 3_600_000.0;
		let production: Vec<(String, f64)> = SOURCES
			.iter()
			.enumerate()
			.map(|(k, s)| (format!("{s:?}"), sum(&|r| r.production[k]) as f64 / 1e6))
			.collect();
		// Emissions: what each source produced at its intensity, the rest at the residual mix's.
		let emitted_g: f64 = SOURCES
			.iter()
			.enumerate()
			.map(|(k, _)| sum(&|r| r.production[k]) as f64 * f64::from(intensities[k]) / 1_000.0)
			.sum::<f64>()
			+ unserved as f64 * f64::from(self.residual) / 1_000.0;
		let household_bills: Vec<f64> =
			self.bills.iter().map(|b| (b.money.0 as f64 - b.money.1 as f64) / UNIT).collect();
		Summary {
			intervals: intervals.len(),
			consumption_mwh: consumption as f64 / 1e6,
			production_mwh: production,
			storage_charged_mwh: sum(&|r| r.storage.0) as f64 / 1e6,
			storage_discharged_mwh: sum(&|r| r.storage.1) as f64 / 1e6,
			traded_mwh: traded as f64 / 1e6,
			self_sufficiency: if consumption == 0 {
				0.0
			} else {
				1.0 - unserved as f64 / consumption as f64
			},
			peak_load_kw: rows.iter().map(|r| r.consumption).max().unwrap_or(0) as f64
				/ hours / 1_000.0,
			average_price: if traded == 0 { 0.0 } else { cost as f64 / traded as f64 / UNIT },
			bills_total_daeg: household_bills.iter().sum(),
			bill_median_daeg: median(household_bills),
			co2_emitted_kg: emitted_g / 1_000.0,
			co2_avoided_kg: sum(&|r| r.avoided_g) as f64 / 1_000.0,
			certified_mwh: sum(&|r| r.certified) as f64 / 1e6,
			readings: rows.iter().map(|r| u64::from(r.readings.0)).sum(),
			substituted: rows.iter().map(|r| u64::from(r.readings.1)).sum(),
			anomalies: rows.iter().map(|r| u64::from(r.anomalies)).sum(),
			meters_suspended: self.suspended,
			anomaly_kinds: self.anomaly_kinds.clone(),
			demand_response_events: rows.iter().map(|r| u64::from(r.demand_response)).sum(),
			breakers_tripped: rows.iter().map(|r| u64::from(r.breakers)).sum(),
			wall_seconds: 0.0,
		}
	}
}

/// The figures a run is judged by.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
	/// Intervals reported.
	pub intervals: usize,
	/// Metered consumption (storage charging aside), MWh.
	pub consumption_mwh: f64,
	/// Metered production by source, MWh.
	pub production_mwh: Vec<(String, f64)>,
	/// Storage charged and discharged, MWh.
	pub storage_charged_mwh: f64,
	pub storage_discharged_mwh: f64,
	/// Traded in the auction, MWh.
	pub traded_mwh: f64,
	/// Share of consumption the community covered (1 − unserved / consumption).
	pub self_sufficiency: f64,
	/// The highest interval's average consumption, kW.
	pub peak_load_kw: f64,
	/// Volume-weighted clearing price, DAEG per kWh.
	pub average_price: f64,
	/// Every member's net bill (charged − credited), summed, DAEG.
	pub bills_total_daeg: f64,
	/// The median member's net bill, DAEG.
	pub bill_median_daeg: f64,
	/// CO₂ of the energy produced and the energy nothing covered (residual mix), kg.
	pub co2_emitted_kg: f64,
	/// CO₂ certified renewable energy avoided against the residual mix, kg.
	pub co2_avoided_kg: f64,
	/// Energy certified, MWh.
	pub certified_mwh: f64,
	/// Meter values recorded, and of them substitutes.
	pub readings: u64,
	pub substituted: u64,
	/// Meter values flagged anomalous, and meters suspended for them (their readings are then
	/// refused: the meters' later values are substitutes).
	pub anomalies: u64,
	pub meters_suspended: u64,
	/// The anomalous values by what the meter measures (`load`, `storage` or a plant's source)
	/// and the anomaly (`Jump`).
	pub anomaly_kinds: BTreeMap<String, u64>,
	/// Demand-response events and breaker trips.
	pub demand_response_events: u64,
	pub breakers_tripped: u64,
	/// How long the run took, s.
	pub wall_seconds: f64,
}

fn median(mut v: Vec<f64>) -> f64 {
	if v.is_empty() {
		return 0.0;
	}
	v.sort_by(|a, b| a.total_cmp(b));
	v[v.len() / 2]
}

/// `YYYY-MM-DD HH:MM` (UTC) of `ms` since the Unix epoch.
pub fn utc(ms: u64) -> String {
	let (y, m, d) = daeg_primitives::DayIndex::at(ms).date();
	let mins = (ms % daeg_primitives::DAY_MS) / 60_000;
	format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", mins / 60, mins % 60)
}
