//! `daeg-sim community describe|plan`: the community and its plan as JSON on stdout.

use super::{community, profiles::Profiles};
use crate::CommunityCmd;
use daeg_primitives::market::Side;
use serde_json::{json, Map, Value};
use std::io::Write;

/// Runs a community subcommand.
pub fn run(cmd: &CommunityCmd) -> Result<(), String> {
	let out = match *cmd {
		CommunityCmd::Describe { households } => {
			serde_json::to_value(community(households)).map_err(|e| e.to_string())?
		}
		CommunityCmd::Plan { households, from_ms, interval_ms, count } => {
			plan(households, from_ms, interval_ms, count)?
		}
	};
	// A closed pipe (`| head`) ends the output, not in a panic.
	writeln!(std::io::stdout().lock(), "{out}").map_err(|e| e.to_string())
}

/// `count` intervals from grid time `from_ms`: each one's start, weather, every planned
/// meter's `[forecast, actual]` power in W (import positive), rounded, and the members' orders.
fn plan(households: u32, from_ms: u64, interval_ms: u64, count: u32) -> Result<Value, String> {
	if interval_ms == 0 {
		return Err("--interval-ms must be positive".into());
	}
	let profiles = Profiles::embedded()?;
	let c = community(households);
	let intervals = (0..u64::from(count))
		.map(|k| {
			let start = from_ms.saturating_add(k.saturating_mul(interval_ms));
			let weather = profiles.hour(Profiles::hour_of(start));
			let meters: Map<String, Value> = c
				.powers(&profiles, start)
				.into_iter()
				.map(|(name, forecast, actual)| (name, json!([forecast.round(), actual.round()])))
				.collect();
			let orders: Vec<Value> = c
				.orders(&profiles, start, interval_ms)
				.into_iter()
				.map(|o| {
					json!({
						"member": c.members[o.member].name,
						"side": if o.side == Side::Buy { "bid" } else { "ask" },
						"meter": o.meter,
						"energyWh": o.energy_wh,
						"priceMilli": o.price_milli,
					})
				})
				.collect();
			json!({
				"interval": start / interval_ms,
				"startMs": start,
				"weather": {
					"ghiWM2": weather.ghi_w_m2,
					"tempC": weather.temp_c,
					"windMS": weather.wind_m_s,
				},
				"meters": meters,
				"orders": orders,
			})
		})
		.collect::<Vec<_>>();
	Ok(json!({ "intervals": intervals }))
}
