//! The simulated world: DAEG's real runtime, executed natively on in-memory storage, with the
//! community registered and trading as on a live chain.
//!
//! The storage is [`SimStorage`]: a hash map, not a trie (nothing here needs a state root or
//! proofs).
//!
//! Each interval runs [`BLOCKS_PER_INTERVAL`] blocks with the runtime's own hooks (the market
//! clears in `on_initialize`; metering finalizes, the market settles and certificates expire in
//! `on_idle`, with what the block's weight leaves as their limit). Calls are dispatched as the
//! runtime dispatches them, from the accounts that would sign them. Two things a live chain
//! does around dispatch are left out as they change no market outcome: transaction fees, and
//! the readings' device signatures (checked by the transaction pool before dispatch; here the
//! readings come straight from the simulated meters).

use super::storage::SimStorage;
use crate::community::{profiles::Profiles, scenario::MILLI, Community};
use daeg_primitives::{
	consumption::{FlexibleLoad, MeterPublic, MeterSignature, MeterStatus, Reading},
	grid::{ZoneLink, ZoneSpec},
	pricing::Side,
	DayIndex, Energy, FacilityId, IntervalIndex, MeterId, Power, PricePerKWh, ZoneId, DAY_MS,
	HOUR_MS,
};
use daeg_runtime::{
	AccountId, AllPalletsWithSystem, Balancing, Pricing, Runtime, RuntimeCall, RuntimeEvent,
	RuntimeGenesisConfig, RuntimeOrigin, System, UNIT,
};
use frame_support::{
	genesis_builder_helper::build_state,
	traits::{Get, OnIdle, OnInitialize},
	BoundedVec,
};
use sc_chain_spec::json_merge;
use sp_core::sr25519;
use sp_genesis_builder::DEV_RUNTIME_PRESET;
use sp_io::hashing::blake2_256;
use sp_runtime::{traits::Dispatchable, Perbill};
use sp_weights::Weight;
use std::collections::HashMap;

/// Blocks per interval: enough for the hooks to clear, finalize and settle every interval.
pub const BLOCKS_PER_INTERVAL: u64 = 6;
/// What every member starts with: more than a year of its bills.
const FUNDS: u128 = 100_000 * UNIT;

/// What went wrong: the call and its error.
#[derive(Debug)]
pub struct WorldError(pub String);

impl core::fmt::Display for WorldError {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		f.write_str(&self.0)
	}
}

/// A member's meter as the simulation tracks it.
pub struct SimMeter {
	/// Its id on the chain.
	pub id: MeterId,
	/// The member's index.
	pub member: usize,
	/// Its key within the member.
	pub key: String,
	/// `member/key`: its name in the community's plan.
	pub name: String,
	/// Whether its power follows dispatch (storage, the peaker), not a profile.
	pub dispatch: bool,
	/// Its cumulative import and export registers, Wh.
	registers: (u64, u64),
	/// Readings sent.
	counter: u32,
}

/// The community registered on the runtime.
pub struct World {
	ext: SimStorage,
	state: State,
}

/// Everything but the storage.
struct State {
	community: Community,
	profiles: Profiles,
	accounts: Vec<AccountId>,
	meters: Vec<SimMeter>,
	/// Each meter's id by its member and key (orders name their meter so).
	meter_ids: HashMap<(usize, String), MeterId>,
	/// Each producing member's facility.
	plants: HashMap<usize, FacilityId>,
	/// Dispatched energy per meter name and interval: import (+) or export (−), Wh.
	dispatched: HashMap<(String, u32), i64>,
	/// Intervals whose dispatch was read.
	dispatch_read: u32,
	interval_ms: u64,
	block: u32,
	/// The weight the block's `on_initialize` used.
	used: Weight,
	/// Events of the blocks run since the last [`World::take_events`].
	events: Vec<RuntimeEvent>,
}

/// An account for `name`, without keys: the simulation dispatches for it.
fn account(name: &str) -> AccountId {
	AccountId::from(blake2_256(format!("daeg/simulation/{name}").as_bytes()))
}

/// Dispatches `call` from `origin`.
fn dispatch(call: RuntimeCall, origin: RuntimeOrigin, what: &str) -> Result<(), WorldError> {
	call.dispatch(origin).map(drop).map_err(|e| WorldError(format!("{what}: {:?}", e.error)))
}

fn signed(who: &AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who.clone())
}

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

impl World {
	/// The dev chain's genesis with `interval_ms` intervals, grid time at `start_ms`, and
	/// `community` registered as `scripts/demo/register.mjs` registers it on a live chain.
	pub fn new(
		community: Community,
		profiles: Profiles,
		start_ms: u64,
		interval_ms: u64,
	) -> Result<Self, WorldError> {
		let json = |e: serde_json::Error| WorldError(e.to_string());
		let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).map_err(json)?;
		let preset = daeg_runtime::genesis_config_presets::get_preset(&DEV_RUNTIME_PRESET.into())
			.ok_or_else(|| WorldError("the runtime has no development preset".into()))?;
		json_merge(&mut config, serde_json::from_slice(&preset).map_err(json)?);
		json_merge(&mut config, serde_json::json!({ "grid": { "intervalLengthMs": interval_ms } }));
		let genesis = serde_json::to_vec(&config).map_err(json)?;
		let mut ext = SimStorage::default();
		ext.execute_with(|| build_state::<RuntimeGenesisConfig>(genesis))
			.map_err(|e| WorldError(format!("genesis: {e}")))?;
		let mut state = State {
			accounts: community.members.iter().map(|m| account(&m.name)).collect(),
			community,
			profiles,
			meters: Vec::new(),
			meter_ids: HashMap::new(),
			plants: HashMap::new(),
			dispatched: HashMap::new(),
			dispatch_read: 0,
			interval_ms,
			block: 0,
			used: Weight::zero(),
			events: Vec::new(),
		};
		ext.execute_with(|| -> Result<(), WorldError> {
			state.begin_block(start_ms);
			state.register(start_ms)?;
			state.end_block();
			Ok(())
		})?;
		Ok(Self { ext, state })
	}

	/// Runs interval `interval`: its blocks, its members' orders, the readings of the interval
	/// before, the weather forecast and dispatch.
	pub fn run_interval(&mut self, interval: u32) -> Result<(), WorldError> {
		let Self { ext, state } = self;
		ext.execute_with(|| state.run_interval(interval))
	}

	/// The events of the blocks run since the last call.
	pub fn take_events(&mut self) -> Vec<RuntimeEvent> {
		core::mem::take(&mut self.state.events)
	}

	/// Runs `f` on the runtime's storage (to read it).
	pub fn read<R>(&mut self, f: impl FnOnce() -> R) -> R {
		self.ext.execute_with(f)
	}

	/// The community.
	pub fn community(&self) -> &Community {
		&self.state.community
	}

	/// Each member's account.
	pub fn accounts(&self) -> &[AccountId] {
		&self.state.accounts
	}

	/// Every meter.
	pub fn meters(&self) -> &[SimMeter] {
		&self.state.meters
	}

	/// The interval length, ms.
	pub fn interval_ms(&self) -> u64 {
		self.state.interval_ms
	}
}

impl State {
	fn begin_block(&mut self, now_ms: u64) {
		self.block = self.block.saturating_add(1);
		System::reset_events();
		System::set_block_number(self.block);
		pallet_timestamp::Now::<Runtime>::put(now_ms);
		self.used = <AllPalletsWithSystem as OnInitialize<u32>>::on_initialize(self.block);
	}

	fn end_block(&mut self) {
		let max = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
		<AllPalletsWithSystem as OnIdle<u32>>::on_idle(self.block, max.saturating_sub(self.used));
		self.events.extend(System::read_events_no_consensus().map(|r| r.event));
	}

	/// The operators set up the grid and appoint a certifier; members install their meters,
	/// register their plants, storage and flexible load; the certifier activates and certifies.
	fn register(&mut self, start_ms: u64) -> Result<(), WorldError> {
		use daeg_runtime::{BalancesCall, RuntimeCall as Call};
		let certifier = account("certifier");
		for who in self.accounts.iter().chain([&certifier]) {
			let fund = BalancesCall::force_set_balance { who: who.clone().into(), new_free: FUNDS };
			dispatch(Call::Balances(fund), root(), "fund a member")?;
		}
		let c = &self.community;
		let mut grid = vec![Call::Production(pallet_production::Call::appoint_certifier {
			certifier: certifier.clone(),
		})];
		for z in &c.zones {
			let spec = ZoneSpec {
				capacity: Power(z.capacity_w),
				peak_share: c.grid.peak_share,
				parent: z.parent.map(ZoneId),
			};
			grid.push(Call::Grid(pallet_grid::Call::set_zone {
				zone: ZoneId(z.id),
				spec: Some(spec),
			}));
		}
		let links: Vec<_> = c
			.links
			.iter()
			.map(|l| ZoneLink {
				a: ZoneId(l.a),
				b: ZoneId(l.b),
				a_to_b: Power(l.a_to_b_w),
				b_to_a: Power(l.b_to_a_w),
			})
			.collect();
		let links = BoundedVec::try_from(links).map_err(|_| WorldError("too many links".into()))?;
		grid.push(Call::Grid(pallet_grid::Call::set_links { links }));
		grid.push(Call::Balancing(pallet_balancing::Call::set_breakers {
			settings: c.grid.breakers,
		}));
		grid.push(Call::Pricing(pallet_pricing::Call::set_tariff { tariff: c.grid.tariff }));
		for &(source, grams) in &c.grid.carbon {
			grid.push(Call::Consumption(pallet_consumption::Call::set_carbon_intensity {
				source,
				intensity: daeg_primitives::CarbonIntensity(grams),
			}));
		}
		for call in grid {
			dispatch(call, root(), "set up the grid")?;
		}

		for (i, m) in c.members.iter().enumerate() {
			let owner = &self.accounts[i];
			for meter in &m.meters {
				let id = pallet_consumption::NextMeterId::<Runtime>::get();
				let name = format!("{}/{}", m.name, meter.key);
				let key = MeterPublic::from(sr25519::Public::from_raw(blake2_256(name.as_bytes())));
				let install = pallet_consumption::Call::install_meter {
					kind: meter.kind,
					zone: ZoneId(m.zone),
					max_power: Power(meter.max_w),
					device_key: key,
				};
				dispatch(Call::Consumption(install), signed(owner), "install a meter")?;
				let activate = pallet_consumption::Call::activate_meter { meter: id };
				dispatch(Call::Consumption(activate), signed(&certifier), "activate a meter")?;
				self.meter_ids.insert((i, meter.key.clone()), id);
				self.meters.push(SimMeter {
					id,
					member: i,
					key: meter.key.clone(),
					name,
					dispatch: meter.dispatch,
					registers: (0, 0),
					counter: 0,
				});
			}
		}

		let day = DayIndex::at(start_ms).0;
		let commissioned = DayIndex(day.saturating_sub(c.grid.commissioned_days_before_start));
		let certified_ms = u64::from(c.grid.certified_days).saturating_mul(DAY_MS);
		for (i, m) in c.members.iter().enumerate() {
			let owner = &self.accounts[i];
			if let Some(plant) = &m.plant {
				let id = pallet_production::NextFacilityId::<Runtime>::get();
				let spec = pallet_production::FacilitySpec {
					source: plant.source,
					capacity: Power(plant.capacity_w),
					zone: ZoneId(m.zone),
					location: c.grid.site,
					commissioned,
					meter: self.meter_of(i, &plant.meter)?,
				};
				let register = pallet_production::Call::register_facility { spec };
				dispatch(Call::Production(register), signed(owner), "register a plant")?;
				let certify = pallet_production::Call::certify {
					facility: id,
					until_ms: start_ms.saturating_add(certified_ms),
				};
				dispatch(Call::Production(certify), signed(&certifier), "certify a plant")?;
				self.plants.insert(i, id);
			}
			if let Some(s) = &m.storage {
				let spec = pallet_balancing::UnitSpec {
					meter: self.meter_of(i, &s.meter)?,
					capacity: Energy(s.capacity_wh),
					max_charge: Power(s.power_w),
					max_discharge: Power(s.power_w),
					efficiency: Perbill::from_parts(s.efficiency_ppb),
					charge: Energy(s.start_wh),
				};
				let register = pallet_balancing::Call::register_unit { spec };
				dispatch(Call::Balancing(register), signed(owner), "register a storage unit")?;
			}
			if let Some(f) = &m.flexible {
				let enroll = pallet_balancing::Call::enroll {
					meter: self.meter_of(i, &f.meter)?,
					flexible: FlexibleLoad {
						power: Power(f.power_w),
						max_hours_per_day: f.max_hours,
					},
				};
				dispatch(Call::Balancing(enroll), signed(owner), "enroll a flexible load")?;
			}
		}
		Ok(())
	}

	/// The id of `member`'s meter `key`.
	fn meter_of(&self, member: usize, key: &str) -> Result<MeterId, WorldError> {
		self.meter_ids
			.get(&(member, key.to_owned()))
			.copied()
			.ok_or_else(|| WorldError(format!("member {member} has no meter {key}")))
	}

	/// Interval `interval`'s blocks. The first one: the meters' readings of the interval
	/// before, the members' orders and the weather forecast for the first open interval, and
	/// the dispatch of what has cleared.
	fn run_interval(&mut self, interval: u32) -> Result<(), WorldError> {
		let start = u64::from(interval).saturating_mul(self.interval_ms);
		let step = self.interval_ms / BLOCKS_PER_INTERVAL;
		for b in 0..BLOCKS_PER_INTERVAL {
			// A block a few seconds into each slot, as a live chain's would be.
			self.begin_block(start.saturating_add(b * step).saturating_add(6_000));
			if b == 0 {
				self.read_meters(interval)?;
				let open = Pricing::status().first_open;
				self.trade(open)?;
				self.read_dispatch()?;
			}
			self.end_block();
		}
		Ok(())
	}

	/// Every meter's reading at the end of `interval - 1` (its first reading is its baseline),
	/// in batches.
	fn read_meters(&mut self, interval: u32) -> Result<(), WorldError> {
		let Some(last) = interval.checked_sub(1) else { return Ok(()) };
		let last_start = u64::from(last).saturating_mul(self.interval_ms);
		let hours = self.interval_ms as f64 / HOUR_MS as f64;
		let planned: HashMap<String, f64> = self
			.community
			.powers(&self.profiles, last_start)
			.into_iter()
			.map(|(name, _, actual)| (name, actual))
			.collect();
		let measured_at =
			u64::from(interval).saturating_mul(self.interval_ms).saturating_add(3_000);
		let mut readings = Vec::with_capacity(self.meters.len());
		for m in self.meters.iter_mut() {
			// A suspended meter's readings are refused (until someone activates it again): it
			// keeps counting, and sends nothing.
			let active = pallet_consumption::Meters::<Runtime>::get(m.id)
				.is_some_and(|x| x.status == MeterStatus::Active);
			// A meter's first reading (its baseline) measures nothing before it.
			if m.counter > 0 {
				let wh = if m.dispatch {
					self.dispatched.remove(&(m.name.clone(), last)).unwrap_or(0)
				} else {
					(planned.get(&m.name).copied().unwrap_or(0.0) * hours).round() as i64
				};
				if wh >= 0 {
					m.registers.0 = m.registers.0.saturating_add(wh.unsigned_abs());
				} else {
					m.registers.1 = m.registers.1.saturating_add(wh.unsigned_abs());
				}
			}
			if !active {
				continue;
			}
			let reading = Reading {
				meter: m.id,
				interval: IntervalIndex(last),
				imported: Energy(m.registers.0),
				exported: Energy(m.registers.1),
				measured_at,
				counter: m.counter.saturating_add(1),
			};
			// A reading the chain refuses (more than the connection carries) is not sent, as
			// the node's offchain worker does not send it: the meter's next one covers its time.
			if pallet_consumption::Pallet::<Runtime>::refusal(&reading).is_some() {
				continue;
			}
			m.counter = reading.counter;
			readings.push((reading, MeterSignature::from(sr25519::Signature::from_raw([0; 64]))));
		}
		let batch: u32 = <Runtime as pallet_consumption::Config>::MaxReadingsPerBatch::get();
		for batch in readings.chunks(batch as usize) {
			let readings = BoundedVec::try_from(batch.to_vec())
				.map_err(|_| WorldError("a batch above MaxReadingsPerBatch".into()))?;
			let call = pallet_consumption::Call::submit_readings { readings };
			dispatch(
				RuntimeCall::Consumption(call),
				RuntimeOrigin::from(frame_system::RawOrigin::Authorized),
				"submit readings",
			)?;
		}
		Ok(())
	}

	/// The members' orders and the weather oracle's forecast for interval `open`.
	fn trade(&mut self, open: IntervalIndex) -> Result<(), WorldError> {
		let start = u64::from(open.0).saturating_mul(self.interval_ms);
		for o in self.community.orders(&self.profiles, start, self.interval_ms) {
			let who = &self.accounts[o.member];
			let price = PricePerKWh(u128::from(o.price_milli).saturating_mul(MILLI));
			let energy = Energy(o.energy_wh);
			let call = match o.side {
				Side::Buy => {
					let Ok(meter) = self.meter_of(o.member, &o.meter) else { continue };
					pallet_pricing::Call::place_bid { meter, interval: open, energy, price }
				}
				Side::Sell => {
					let Some(&facility) = self.plants.get(&o.member) else { continue };
					pallet_pricing::Call::place_ask { facility, interval: open, energy, price }
				}
			};
			// An order the market refuses (funds, limits) is the member's loss, not the run's.
			let _ = dispatch(RuntimeCall::Pricing(call), signed(who), "place an order");
		}
		let forecast = Community::forecast(&self.profiles, start);
		let oracle = daeg_runtime::genesis_config_presets::dev_weather_oracle();
		for z in &self.community.zones {
			let forecast = BoundedVec::try_from(vec![forecast])
				.map_err(|_| WorldError("a forecast above MaxIntervalsAhead".into()))?;
			let call =
				pallet_pricing::Call::submit_forecast { zone: ZoneId(z.id), from: open, forecast };
			let _ = dispatch(RuntimeCall::Pricing(call), signed(&oracle), "submit a forecast");
		}
		Ok(())
	}

	/// The setpoints of the intervals cleared since the last call (the community's
	/// [`Community::dispatched`]).
	fn read_dispatch(&mut self) -> Result<(), WorldError> {
		let Some(next) = Pricing::status().next_to_clear else { return Ok(()) };
		let names: HashMap<MeterId, &str> =
			self.meters.iter().map(|m| (m.id, m.name.as_str())).collect();
		let name = |meter: &MeterId| names.get(meter).map(|n| n.to_string());
		let units = Balancing::units(None);
		for t in self.dispatch_read.max(next.0.saturating_sub(4))..next.0 {
			let scheduled =
				Balancing::schedule(IntervalIndex(t)).into_iter().filter_map(|(unit, action)| {
					let meter = units.iter().find(|u| u.unit == unit)?.meter;
					Some((name(&meter)?, action))
				});
			let sold = pallet_pricing::Book::<Runtime>::iter_prefix_values(IntervalIndex(t))
				.flat_map(|page| page.into_iter())
				.filter(|o| matches!(o.origin, pallet_pricing::Origin::Facility(..)))
				.filter_map(|o| Some((name(&o.meter)?, o.filled)));
			for (meter, wh) in self.community.dispatched(scheduled, sold) {
				self.dispatched.insert((meter, t), wh);
			}
		}
		self.dispatch_read = next.0;
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::community::scenario::Scenario;

	/// The simulation sets up the grid the scenario file says: edit a breaker threshold there
	/// and the simulated chain has it (the demo's test, node/tests/integration/demo.test.mjs,
	/// shows the same for the demo).
	#[test]
	fn the_grid_follows_the_scenario_file() {
		let text = include_str!("../../../scenarios/community.toml");
		let edited = text
			.replace("anomalous_share_percent = 30", "anomalous_share_percent = 35")
			.replace("min_meters = 5", "min_meters = 7");
		assert_ne!(edited, text, "the scenario has the thresholds this test changes");
		let community = Scenario::parse(&edited).and_then(|s| s.community(3)).unwrap();
		let profiles = Profiles::embedded().unwrap();
		let mut world = World::new(community, profiles, 20_000 * DAY_MS, HOUR_MS).unwrap();
		let (breakers, tariff) = world.read(|| {
			(pallet_balancing::Breakers::<Runtime>::get(), pallet_pricing::Tariff::<Runtime>::get())
		});
		assert_eq!(
			breakers,
			daeg_primitives::balancing::BreakerSettings {
				cap_intervals: Some(4),
				imbalance_share: None,
				anomalous_share: Some(Perbill::from_percent(35)),
				min_meters: 7,
			}
		);
		assert_eq!(tariff, world.community().grid.tariff);
	}
}
