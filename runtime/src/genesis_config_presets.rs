//! Genesis presets: `development` (one validator, Alice) and `local_testnet` (four validators,
//! Alice, Bob, Charlie and Dave). Both make the 2-of-3 multisig of Alice, Bob and Charlie the
//! grid operators' account and the sudo key (see [`crate::governance`]).

use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

use crate::{
	governance::operators_account, AccountId, Balance, BalancesConfig, RuntimeGenesisConfig,
	SudoConfig, MILLI_UNIT, UNIT,
};
use daeg_primitives::{
	grid::ZoneSpec,
	pricing::{
		Climate, ImbalancePrices, TariffParameters, WeatherChange, WeatherModel, WeatherRange,
	},
	Irradiance, Power, PricePerKWh, Temperature, WindSpeed, ZoneId,
};
use sp_runtime::Perbill;

/// Every endowed dev account starts with this many DAEG.
pub const ENDOWMENT: Balance = 1_000_000 * UNIT;
/// Approvals needed by the dev grid operators' multisig.
pub const DEV_OPERATOR_THRESHOLD: u16 = 2;

/// The dev chain's grid operators: Alice, Bob and Charlie.
pub fn dev_operators() -> Vec<AccountId> {
	vec![
		Sr25519Keyring::Alice.to_account_id(),
		Sr25519Keyring::Bob.to_account_id(),
		Sr25519Keyring::Charlie.to_account_id(),
	]
}

/// The dev chain's grid operators' multisig account (2 of Alice, Bob, Charlie).
pub fn dev_operators_account() -> AccountId {
	operators_account(dev_operators(), DEV_OPERATOR_THRESHOLD)
}

/// Market intervals on dev and local chains: 30 seconds (five blocks), so that markets,
/// readings and settlement turn over while one watches.
pub const DEV_INTERVAL_MS: u64 = 30_000;

fn genesis(
	validators: Vec<(AuraId, GrandpaId)>,
	endowed: Vec<AccountId>,
	operators: AccountId,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed.iter().cloned().map(|k| (k, ENDOWMENT)).collect::<Vec<_>>(),
		},
		aura: pallet_aura::GenesisConfig {
			authorities: validators.iter().map(|x| x.0.clone()).collect::<Vec<_>>(),
		},
		grandpa: pallet_grandpa::GenesisConfig {
			authorities: validators.iter().map(|x| (x.1.clone(), 1)).collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: Some(operators) },
		grid: pallet_grid::GenesisConfig {
			interval_length_ms: DEV_INTERVAL_MS,
			zones: (0..crate::configs::ZONES).map(|z| (ZoneId(z), dev_zone())).collect::<Vec<_>>(),
		},
		pricing: pallet_pricing::GenesisConfig {
			pot: MARKET_POT,
			tariff: dev_tariff(),
			imbalance: ImbalancePrices {
				short: PricePerKWh(400 * MILLI_UNIT),
				long: PricePerKWh(50 * MILLI_UNIT)
			},
			weather_oracles: vec![dev_weather_oracle()],
			weather_models: (0..crate::configs::ZONES)
				.map(|z| (ZoneId(z), dev_weather_model()))
				.collect::<Vec<_>>(),
			climates: (0..crate::configs::ZONES)
				.map(|z| (ZoneId(z), dev_climate()))
				.collect::<Vec<_>>(),
		},
		balancing: pallet_balancing::GenesisConfig {
			emergency_tariff: PricePerKWh(600 * MILLI_UNIT),
			programs: (0..crate::configs::ZONES)
				.map(|z| (ZoneId(z), PricePerKWh(300 * MILLI_UNIT)))
				.collect::<Vec<_>>(),
		},
	})
}

/// Every zone of the dev chains: a 250 kW feeder whose demand response starts at 80 % of it.
/// (Breakers are off until the operators arm them: `balancing.set_breakers`.)
pub fn dev_zone() -> ZoneSpec {
	ZoneSpec { capacity: Power(250_000), peak_share: Perbill::from_percent(80), parent: None }
}

/// What the market's settlement pot starts with on dev chains: sellers are paid before
/// buyers' payments arrive.
pub const MARKET_POT: Balance = 10_000 * UNIT;

/// The dev chains' tariff, in thousandths of a DAEG per kWh (think of a DAEG as a euro): a
/// reference energy price of 0.25, grid fees of 0.05 at night, 0.08 by day and 0.12 in the
/// evening peak (17–21 h UTC), 0.05 for congestion and up to 0.50 for scarcity.
pub fn dev_tariff() -> TariffParameters {
	let mut grid_fees = [PricePerKWh(80 * MILLI_UNIT); 24];
	for (hour, fee) in grid_fees.iter_mut().enumerate() {
		if !(6..22).contains(&hour) {
			*fee = PricePerKWh(50 * MILLI_UNIT);
		} else if (17..21).contains(&hour) {
			*fee = PricePerKWh(120 * MILLI_UNIT);
		}
	}
	TariffParameters {
		reference: PricePerKWh(250 * MILLI_UNIT),
		grid_fees,
		congestion: PricePerKWh(50 * MILLI_UNIT),
		scarcity: PricePerKWh(500 * MILLI_UNIT),
	}
}

/// The dev chains' weather oracle: Ferdie.
pub fn dev_weather_oracle() -> AccountId {
	Sr25519Keyring::Ferdie.to_account_id()
}

/// How the weather moves every zone's price on dev chains, in thousandths of a DAEG per kWh:
/// full sun takes 0.10 off, wind at rated speed (12 m/s; turbines from 3 m/s, stopping at
/// 25 m/s) 0.08; each degree below 15 °C adds 0.005, each above 25 °C 0.004.
pub fn dev_weather_model() -> WeatherModel {
	WeatherModel {
		solar: PricePerKWh(100 * MILLI_UNIT),
		wind: PricePerKWh(80 * MILLI_UNIT),
		cut_in: WindSpeed(3_000),
		rated: WindSpeed(12_000),
		cut_out: WindSpeed(25_000),
		heating_below: Temperature::from_celsius(15),
		heating: PricePerKWh(5 * MILLI_UNIT),
		cooling_above: Temperature::from_celsius(25),
		cooling: PricePerKWh(4 * MILLI_UNIT),
	}
}

/// The dev chains' climate, every zone's: that of the reference community's site (Greensboro,
/// NC: `data/README.md`; its profiles reach 752 W/m² in winter, 1,013 in summer, −17 to 36 °C),
/// with margins beyond its records (−23 and 40 °C): irradiance up to 950 W/m² in winter and
/// 1,200 in summer, wind up to 45 m/s, −25 to 28 °C in winter, −5 to 42 °C in summer; a
/// forecast may be revised by at most 1,000 W/m², 15 m/s and 12 °C.
pub fn dev_climate() -> Climate {
	let range = |max_irradiance, min_c, max_c| WeatherRange {
		max_irradiance: Irradiance(max_irradiance),
		max_wind_speed: WindSpeed(45_000),
		min_temperature: Temperature::from_celsius(min_c),
		max_temperature: Temperature::from_celsius(max_c),
	};
	Climate {
		seasons: [
			range(950, -25, 28),
			range(1_150, -15, 37),
			range(1_200, -5, 42),
			range(1_050, -15, 37),
		],
		max_change: WeatherChange {
			irradiance: Irradiance(1_000),
			wind_speed: WindSpeed(15_000),
			temperature: 12_000,
		},
	}
}

/// A dev validator's keys: sr25519 for Aura, ed25519 for GRANDPA, from the same name.
fn validator(aura: Sr25519Keyring, grandpa: Ed25519Keyring) -> (AuraId, GrandpaId) {
	(aura.public().into(), grandpa.public().into())
}

/// The well-known accounts endowed on dev and local chains, plus the operators' multisig
/// (so it can pay fees and multisig deposits of its own) and the incentives account (so that
/// feed-in premiums can be paid once governance sets a rate).
fn endowed_dev_accounts() -> Vec<AccountId> {
	let mut accounts: Vec<AccountId> =
		Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect();
	accounts.push(dev_operators_account());
	accounts.push(crate::configs::IncentivesAccount::get());
	accounts
}

/// One validator (Alice).
pub fn development_config_genesis() -> Value {
	genesis(
		vec![validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		endowed_dev_accounts(),
		dev_operators_account(),
	)
}

/// Four validators (Alice, Bob, Charlie, Dave): GRANDPA finalizes with any three of them.
pub fn local_config_genesis() -> Value {
	genesis(
		vec![
			validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			validator(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			validator(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
			validator(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		],
		endowed_dev_accounts(),
		dev_operators_account(),
	)
}

/// The genesis patch of a named preset, if it exists.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	serde_json::to_vec(&patch).ok()
}

/// The names of the presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
