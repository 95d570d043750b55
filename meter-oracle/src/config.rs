//! The oracle's configuration file (TOML): the interval length, where to keep the queue, and
//! one `[[meter]]` table per meter.

use daeg_primitives::TimeScale;
use serde::Deserialize;
use std::{net::SocketAddr, path::PathBuf, time::Duration};

use crate::Error;

/// How the oracle reaches a meter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
	/// Modbus TCP (MBAP framing), `address` = host:port.
	Tcp,
	/// Modbus RTU framing tunnelled through TCP (serial gateways), `address` = host:port.
	RtuOverTcp,
	/// Modbus RTU on a serial line, `address` = device path, with `baud`.
	Rtu,
}

/// One meter.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeterConfig {
	/// A name for logs and status.
	pub name: String,
	/// The meter's id on chain (`Consumption::install_meter` assigns it).
	pub chain_id: u64,
	/// The register map: a built-in map name (`sdm630`, `em24`, `sunspec-203`, …) or the stem
	/// of a file in the maps directory.
	pub map: String,
	/// The transport.
	pub transport: Transport,
	/// host:port, or a serial device path.
	pub address: String,
	/// The Modbus unit (slave) id.
	#[serde(default = "default_unit")]
	pub unit: u8,
	/// Serial speed, for `rtu`.
	#[serde(default = "default_baud")]
	pub baud: u32,
	/// How long one request may take.
	#[serde(default = "default_timeout_ms")]
	pub timeout_ms: u64,
}

fn default_unit() -> u8 {
	1
}
fn default_baud() -> u32 {
	9_600
}
fn default_timeout_ms() -> u64 {
	1_000
}
fn default_poll_ms() -> u64 {
	2_000
}
fn default_listen() -> SocketAddr {
	SocketAddr::from(([127, 0, 0, 1], 9955))
}

/// The whole configuration.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
	/// The chain's market interval length in seconds (`Pricing::IntervalLength` / 1000).
	pub interval_secs: u64,
	/// How often each meter is polled.
	#[serde(default = "default_poll_ms")]
	pub poll_ms: u64,
	/// Where the offchain worker fetches readings (keep it on loopback).
	#[serde(default = "default_listen")]
	pub listen: SocketAddr,
	/// The directory of the durable queue and the journal.
	pub state_dir: PathBuf,
	/// A directory of extra register maps (`<name>.toml`).
	pub maps_dir: Option<PathBuf>,
	/// The chain's time scale, when its grid time runs faster than real time (a demo or
	/// research chain's `pricing.timeScale` genesis value); `interval_secs` is then in grid time.
	pub time_scale: Option<TimeScale>,
	/// The meters.
	#[serde(default)]
	pub meter: Vec<MeterConfig>,
}

impl Config {
	/// Parses and checks a configuration.
	pub fn parse(text: &str) -> Result<Self, Error> {
		let config: Config = toml::from_str(text).map_err(|e| Error::Config(e.to_string()))?;
		if config.interval_secs == 0 || config.poll_ms == 0 {
			return Err(Error::Config("interval_secs and poll_ms must be positive".into()));
		}
		let rate = config.time_scale.map_or(1, |s| u64::from(s.rate));
		if rate == 0 {
			return Err(Error::Config("time_scale.rate must be positive".into()));
		}
		// A reading is formed at the first poll after an interval ends; polls must come often
		// enough that one falls into the first half of every interval (in real time).
		if config.poll_ms.saturating_mul(2).saturating_mul(rate)
			> config.interval_secs.saturating_mul(1000)
		{
			return Err(Error::Config("poll_ms must be at most half the interval".into()));
		}
		let mut ids: Vec<u64> = config.meter.iter().map(|m| m.chain_id).collect();
		ids.sort_unstable();
		if ids.windows(2).any(|w| w[0] == w[1]) {
			return Err(Error::Config("two meters share a chain_id".into()));
		}
		Ok(config)
	}

	/// The interval length.
	pub fn interval(&self) -> Duration {
		Duration::from_secs(self.interval_secs)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const GOOD: &str = r#"
		interval_secs = 30
		state_dir = "/tmp/x"
		[[meter]]
		name = "house-1"
		chain_id = 0
		map = "sdm630"
		transport = "tcp"
		address = "127.0.0.1:5020"
		[[meter]]
		name = "plant"
		chain_id = 1
		map = "em24"
		transport = "rtu-over-tcp"
		address = "127.0.0.1:5021"
		unit = 7
	"#;

	#[test]
	fn parses_with_defaults() {
		let c = Config::parse(GOOD).unwrap();
		assert_eq!(c.poll_ms, 2_000);
		assert_eq!(c.listen, default_listen());
		assert_eq!(c.meter[1].transport, Transport::RtuOverTcp);
		assert_eq!((c.meter[0].unit, c.meter[1].unit), (1, 7));
	}

	#[test]
	fn refuses_duplicates_slow_polls_and_typos() {
		let dup = GOOD.replace("chain_id = 1", "chain_id = 0");
		assert!(matches!(Config::parse(&dup), Err(Error::Config(_))));
		let slow = GOOD.replace("interval_secs = 30", "interval_secs = 3");
		assert!(matches!(Config::parse(&slow), Err(Error::Config(_))));
		let typo = GOOD.replace("transport = \"tcp\"", "transport = \"udp\"");
		assert!(matches!(Config::parse(&typo), Err(Error::Config(_))));
		// One grid hour per 30 s of real time: 2 s polls fit, 20 s polls do not.
		let scaled = GOOD.replace("interval_secs = 30", "interval_secs = 3600")
			+ "[time_scale]\nchain_origin_ms = 0\ngrid_origin_ms = 0\nrate = 120\n";
		let c = Config::parse(&scaled).unwrap();
		assert_eq!(c.time_scale.map(|s| s.rate), Some(120));
		let typo = scaled.replace("rate = 120", "rate = 0");
		assert!(matches!(Config::parse(&typo), Err(Error::Config(_))));
		let typo = format!("poll_ms = 20000\n{scaled}");
		assert!(matches!(Config::parse(&typo), Err(Error::Config(_))));
	}
}
