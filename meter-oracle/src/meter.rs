//! One meter on the wire: connects over its transport, reads the registers its map names and
//! decodes them into energies. A failed connection is dropped and made again at the next poll.

use daeg_primitives::Energy;
use std::{net::SocketAddr, time::Duration};
use tokio::{net::TcpStream, time::timeout};
use tokio_modbus::{
	client::{rtu, tcp, Context, Reader},
	Slave,
};

use crate::{
	config::{MeterConfig, Transport},
	map::{self, RegisterMap, Table, Words},
	Error,
};

/// The most energy a register may plausibly hold: 10^15 Wh (a terawatt-year), far above any
/// meter; larger values are garbage from a wrong map.
const MAX_PLAUSIBLE_WH: f64 = 1e15;

/// Decoded values of one poll.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Registers {
	/// Cumulative import.
	pub imported: Energy,
	/// Cumulative export.
	pub exported: Energy,
	/// Active power, W, when the map has it.
	pub power_w: Option<f64>,
}

/// A meter and its connection.
pub struct Meter {
	/// Its configuration.
	pub config: MeterConfig,
	map: RegisterMap,
	context: Option<Context>,
}

impl Meter {
	/// A meter read through `map`.
	pub fn new(config: MeterConfig, map: RegisterMap) -> Self {
		Self { config, map, context: None }
	}

	/// Connects to the meter (a free function of the configuration, so that the future holds
	/// no reference to the meter's connection, which is not `Sync`).
	async fn connect(config: &MeterConfig) -> Result<Context, Error> {
		let slave = Slave(config.unit);
		let address = &config.address;
		let no_answer = |e: &dyn std::fmt::Display| Error::NoAnswer(format!("{address}: {e}"));
		let connecting = async {
			match config.transport {
				Transport::Tcp | Transport::RtuOverTcp => {
					let socket: SocketAddr = address
						.parse()
						.map_err(|e| Error::Config(format!("address {address}: {e}")))?;
					let stream = TcpStream::connect(socket).await.map_err(|e| no_answer(&e))?;
					Ok(if config.transport == Transport::Tcp {
						tcp::attach_slave(stream, slave)
					} else {
						rtu::attach_slave(stream, slave)
					})
				}
				Transport::Rtu => {
					let builder = tokio_serial::new(address, config.baud);
					let port =
						tokio_serial::SerialStream::open(&builder).map_err(|e| no_answer(&e))?;
					Ok(rtu::attach_slave(port, slave))
				}
			}
		};
		timeout(Duration::from_millis(config.timeout_ms), connecting)
			.await
			.map_err(|e| no_answer(&e))?
	}

	/// Reads the raw registers the map needs.
	async fn read_words(&mut self) -> Result<Words, Error> {
		let mut context = match self.context.take() {
			Some(c) => c,
			None => Self::connect(&self.config).await?,
		};
		let (table, limit) = (self.map.table, Duration::from_millis(self.config.timeout_ms));
		let mut words = Words::new();
		for (first, count) in self.map.requests() {
			let request = async {
				match table {
					Table::Input => context.read_input_registers(first, count).await,
					Table::Holding => context.read_holding_registers(first, count).await,
				}
			};
			let what = format!("{} registers at {first:#06x}", count);
			let values = match timeout(limit, request).await {
				// The connection is kept only after a complete answer: after a timeout or an I/O
				// error the stream may hold half a frame.
				Err(_) => return Err(Error::NoAnswer(format!("{what}: timed out"))),
				Ok(Err(e)) => return Err(Error::NoAnswer(format!("{what}: {e}"))),
				Ok(Ok(Err(exception))) => {
					self.context = Some(context);
					return Err(Error::Exception(format!("{what}: {exception}")));
				}
				Ok(Ok(Ok(values))) => values,
			};
			if values.len() != usize::from(count) {
				return Err(Error::WrongMap(format!("{what}: got {} registers", values.len())));
			}
			words.extend((first..).zip(values));
		}
		self.context = Some(context);
		Ok(words)
	}

	/// Polls the meter once.
	pub async fn read(&mut self) -> Result<Registers, Error> {
		let words = self.read_words().await?;
		decode(&self.map, &words)
	}
}

/// Decodes and sanity-checks one poll's registers.
pub fn decode(map: &RegisterMap, words: &Words) -> Result<Registers, Error> {
	map::check(map, words)?;
	let energy = |register, what: &str| -> Result<Energy, Error> {
		let v = map::decode(map, register, words)?;
		if !v.is_finite() || !(0.0..=MAX_PLAUSIBLE_WH).contains(&v) {
			return Err(Error::Insane(format!("{what} register reads {v} Wh")));
		}
		// Whole Wh, rounded down: rounding down keeps a cumulative register monotonic.
		Ok(Energy(v as u64))
	};
	let imported = energy(&map.import, "import")?;
	let exported = energy(&map.export, "export")?;
	let power_w = match &map.power {
		None => None,
		Some(r) => match map::decode(map, r, words) {
			Ok(v) if v.is_finite() => Some(v),
			Ok(v) => return Err(Error::Insane(format!("power reads {v} W"))),
			// Power is informative only; a meter without it still delivers energy.
			Err(Error::NotAvailable(_)) => None,
			Err(e) => return Err(e),
		},
	};
	Ok(Registers { imported, exported, power_w })
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn garbage_is_insane_not_energy() {
		let maps = map::load_maps(None).unwrap();
		let m = &maps["sdm120"];
		let nan = f32::NAN.to_bits();
		let mut words: Words =
			[(0x48, (nan >> 16) as u16), (0x49, nan as u16), (0x4A, 0), (0x4B, 0)]
				.into_iter()
				.collect();
		words.extend([(0x0C, 0), (0x0D, 0)]);
		assert!(matches!(decode(m, &words), Err(Error::Insane(_))));
		let minus = (-5.0f32).to_bits();
		words.extend([(0x48, (minus >> 16) as u16), (0x49, minus as u16)]);
		assert!(matches!(decode(m, &words), Err(Error::Insane(_))));
		words.extend([(0x48, 0), (0x49, 0)]);
		assert_eq!(
			decode(m, &words),
			Ok(Registers { imported: Energy(0), exported: Energy(0), power_w: Some(0.0) })
		);
	}

	#[tokio::test]
	async fn a_meter_that_is_not_there_does_not_answer() {
		let config = MeterConfig {
			name: "nobody".into(),
			chain_id: 0,
			map: "sdm630".into(),
			transport: Transport::Tcp,
			// A port nothing listens on: bind one, then free it.
			address: std::net::TcpListener::bind("127.0.0.1:0")
				.and_then(|l| l.local_addr())
				.unwrap()
				.to_string(),
			unit: 1,
			baud: 9_600,
			timeout_ms: 500,
		};
		let maps = map::load_maps(None).unwrap();
		let mut meter = Meter::new(config, maps["sdm630"].clone());
		assert!(matches!(meter.read().await, Err(Error::NoAnswer(_))));
	}
}
