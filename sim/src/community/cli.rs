//! `daeg-sim community describe|plan|dispatch`: the community, its plan and its dispatch as
//! JSON on stdout, for the demo (`scripts/demo`).

use super::{profiles::Profiles, Community};
use crate::CommunityCmd;
use daeg_primitives::{balancing::Action, pricing::Side, Energy, HOUR_MS};
use serde_json::{json, Map, Value};
use std::{collections::BTreeMap, io::Write};

/// Runs a community subcommand.
pub fn run(cmd: &CommunityCmd) -> Result<(), String> {
	let out = match cmd {
		CommunityCmd::Describe { community } => {
			serde_json::to_value(community.community()?).map_err(|e| e.to_string())?
		}
		CommunityCmd::Plan { community, from_ms, interval_ms, count } => {
			plan(&community.community()?, *from_ms, *interval_ms, *count)?
		}
		CommunityCmd::Dispatch { community, interval_ms } => {
			let input = std::io::read_to_string(std::io::stdin()).map_err(|e| e.to_string())?;
			dispatch(&community.community()?, &input, *interval_ms)?
		}
	};
	// A closed pipe (`| head`) ends the output, not in a panic.
	writeln!(std::io::stdout().lock(), "{out}").map_err(|e| e.to_string())
}

/// `count` intervals from grid time `from_ms`: each one's start, the weather forecast in the
/// chain's units, every planned meter's `[forecast, actual]` power in W (import positive),
/// rounded, and the members' orders.
fn plan(c: &Community, from_ms: u64, interval_ms: u64, count: u32) -> Result<Value, String> {
	if interval_ms == 0 {
		return Err("--interval-ms must be positive".into());
	}
	let profiles = Profiles::embedded()?;
	let intervals = (0..u64::from(count))
		.map(|k| {
			let start = from_ms.saturating_add(k.saturating_mul(interval_ms));
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
						"member": c.members.get(o.member).map(|m| m.name.as_str()),
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
				"forecast": Community::forecast(&profiles, start),
				"meters": meters,
				"orders": orders,
			})
		})
		.collect::<Vec<_>>();
	Ok(json!({ "intervals": intervals }))
}

/// [`Community::dispatched`] of the JSON `input`, as the power (W) that moves each meter's
/// energy over an interval of `interval_ms`.
fn dispatch(c: &Community, input: &str, interval_ms: u64) -> Result<Value, String> {
	#[derive(serde::Deserialize)]
	struct Input {
		scheduled: BTreeMap<String, Action>,
		sold: BTreeMap<String, u64>,
	}
	if interval_ms == 0 {
		return Err("--interval-ms must be positive".into());
	}
	let input: Input = serde_json::from_str(input).map_err(|e| format!("stdin: {e}"))?;
	let sold = input.sold.into_iter().map(|(meter, wh)| (meter, Energy(wh)));
	let watts: Map<String, Value> = c
		.dispatched(input.scheduled, sold)
		.into_iter()
		.map(|(meter, wh)| {
			let w = (wh as f64 * HOUR_MS as f64 / interval_ms as f64).round();
			(meter, json!(w))
		})
		.collect();
	Ok(Value::Object(watts))
}
