//! Register maps: where a meter model keeps its energy registers and how they are encoded.
//! Maps are data (one TOML file per model, see `maps/`), so a new model needs no code.

use serde::Deserialize;
use std::{collections::BTreeMap, path::Path};

use crate::Error;

/// The maps that ship with the oracle; files in a `--maps` directory add to or replace them.
const BUILT_IN: [(&str, &str); 8] = [
	("sdm630", include_str!("../maps/sdm630.toml")),
	("sdm120", include_str!("../maps/sdm120.toml")),
	("em24", include_str!("../maps/em24.toml")),
	("abb-b23", include_str!("../maps/abb-b23.toml")),
	("sunspec-201", include_str!("../maps/sunspec-201.toml")),
	("sunspec-202", include_str!("../maps/sunspec-202.toml")),
	("sunspec-203", include_str!("../maps/sunspec-203.toml")),
	("sunspec-204", include_str!("../maps/sunspec-204.toml")),
];

/// The most registers one Modbus read request may ask for.
const MAX_READ: u16 = 125;

/// Which Modbus table the registers are in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Table {
	/// Input registers, function 04.
	Input,
	/// Holding registers, function 03.
	Holding,
}

/// How a value's registers encode it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
	/// IEEE 754 single precision, two registers.
	F32,
	/// Signed 16-bit integer, one register (0x8000: not available).
	I16,
	/// Unsigned 16-bit integer, one register (0xFFFF: not available).
	U16,
	/// Signed 32-bit integer, two registers.
	I32,
	/// Unsigned 32-bit integer (SunSpec `acc32`), two registers (all ones: not available).
	U32,
	/// Unsigned 64-bit integer, four registers (all ones: not available).
	U64,
}

impl Format {
	/// How many 16-bit registers a value takes.
	pub fn registers(self) -> u16 {
		match self {
			Format::I16 | Format::U16 => 1,
			Format::F32 | Format::I32 | Format::U32 => 2,
			Format::U64 => 4,
		}
	}
}

/// The order of a multi-register value's words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WordOrder {
	/// The most significant word at the lowest address (Modbus' usual order).
	#[default]
	HighFirst,
	/// The least significant word first (Carlo Gavazzi).
	LowFirst,
}

/// The unit of a register after scaling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum Unit {
	/// Watt-hours.
	Wh,
	/// Kilowatt-hours.
	#[serde(rename = "kWh")]
	KWh,
	/// Watts.
	W,
	/// Kilowatts.
	#[serde(rename = "kW")]
	KW,
}

impl Unit {
	/// The factor to Wh (energies) or W (power).
	fn to_base(self) -> f64 {
		match self {
			Unit::Wh | Unit::W => 1.0,
			Unit::KWh | Unit::KW => 1000.0,
		}
	}
}

/// One value of a map.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Register {
	/// The first register's address (0-based, as on the wire).
	pub address: u16,
	/// The encoding.
	pub format: Format,
	/// Word order for multi-register values.
	#[serde(default)]
	pub word_order: WordOrder,
	/// A fixed factor applied to the raw value (e.g. 0.1 for tenths).
	#[serde(default = "one")]
	pub scale: f64,
	/// The address of a SunSpec-style scale factor register (signed, power of ten), if any.
	pub scale_factor: Option<u16>,
	/// The unit after scaling.
	pub unit: Unit,
}

fn one() -> f64 {
	1.0
}

/// A register that must hold a known value for the map to fit the meter (SunSpec model IDs).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
	/// The register's address.
	pub address: u16,
	/// The value it must hold.
	pub equals: u16,
}

/// A meter model's register map.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterMap {
	/// The model's name, for messages.
	pub name: String,
	/// The table the registers are in.
	pub table: Table,
	/// A register identifying the model, checked before the values are trusted.
	pub check: Option<Check>,
	/// The cumulative import energy register.
	pub import: Register,
	/// The cumulative export energy register.
	pub export: Register,
	/// The active power register, for plausibility checks and status.
	pub power: Option<Register>,
}

impl RegisterMap {
	/// Parses a map and checks that its units fit their roles.
	pub fn parse(name: &str, text: &str) -> Result<Self, Error> {
		let map: RegisterMap =
			toml::from_str(text).map_err(|e| Error::Config(format!("register map {name}: {e}")))?;
		let energy = |r: &Register| matches!(r.unit, Unit::Wh | Unit::KWh);
		if !energy(&map.import) || !energy(&map.export) {
			return Err(Error::Config(format!(
				"register map {name}: energies must be in Wh or kWh"
			)));
		}
		if map.power.as_ref().is_some_and(energy) {
			return Err(Error::Config(format!("register map {name}: power must be in W or kW")));
		}
		Ok(map)
	}

	/// The read requests `(first address, count)` that fetch every register this map needs:
	/// neighbouring registers share a request while it stays within Modbus' 125 registers.
	pub fn requests(&self) -> Vec<(u16, u16)> {
		let mut ranges: Vec<(u16, u16)> = self
			.registers()
			.flat_map(|r| {
				let value = (r.address, r.address.saturating_add(r.format.registers() - 1));
				std::iter::once(value).chain(r.scale_factor.map(|a| (a, a)))
			})
			.chain(self.check.as_ref().map(|c| (c.address, c.address)))
			.collect();
		ranges.sort_unstable();
		let mut requests: Vec<(u16, u16)> = Vec::new();
		for (first, last) in ranges {
			match requests.last_mut() {
				Some((start, end)) if last.saturating_sub(*start) < MAX_READ => {
					*end = (*end).max(last)
				}
				_ => requests.push((first, last)),
			}
		}
		requests.into_iter().map(|(first, last)| (first, last - first + 1)).collect()
	}

	fn registers(&self) -> impl Iterator<Item = &Register> {
		[&self.import, &self.export].into_iter().chain(self.power.as_ref())
	}
}

/// Every map the oracle knows: the built-in ones, plus the `*.toml` files of `dir` (a file
/// named like a built-in map replaces it).
pub fn load_maps(dir: Option<&Path>) -> Result<BTreeMap<String, RegisterMap>, Error> {
	let mut maps = BTreeMap::new();
	for (name, text) in BUILT_IN {
		maps.insert(name.to_string(), RegisterMap::parse(name, text)?);
	}
	let Some(dir) = dir else { return Ok(maps) };
	let entries = std::fs::read_dir(dir)
		.map_err(|e| Error::Config(format!("maps directory {}: {e}", dir.display())))?;
	for entry in entries {
		let path = entry.map_err(|e| Error::Config(format!("{}: {e}", dir.display())))?.path();
		if path.extension().is_none_or(|e| e != "toml") {
			continue;
		}
		let Some(name) = path.file_stem().and_then(|s| s.to_str()).map(str::to_string) else {
			continue;
		};
		let text = std::fs::read_to_string(&path)
			.map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
		maps.insert(name.clone(), RegisterMap::parse(&name, &text)?);
	}
	Ok(maps)
}

/// Registers as read from a meter: address → word.
pub type Words = BTreeMap<u16, u16>;

/// Decodes one value of `map` from `words`, in Wh or W.
pub fn decode(map: &RegisterMap, register: &Register, words: &Words) -> Result<f64, Error> {
	let word = |a: u16| {
		words
			.get(&a)
			.copied()
			.ok_or_else(|| Error::WrongMap(format!("{}: register {a:#06x} was not read", map.name)))
	};
	let n = register.format.registers();
	let mut raw: Vec<u16> =
		(0..n).map(|i| word(register.address.saturating_add(i))).collect::<Result<_, _>>()?;
	if register.word_order == WordOrder::LowFirst {
		raw.reverse();
	}
	let bits = raw.iter().fold(0u64, |acc, w| (acc << 16) | u64::from(*w));
	let unavailable =
		|| Error::NotAvailable(format!("{}: register {:#06x}", map.name, register.address));
	let value = match register.format {
		Format::F32 => f64::from(f32::from_bits(bits as u32)),
		Format::I16 if bits == 0x8000 => return Err(unavailable()),
		Format::I16 => f64::from(bits as u16 as i16),
		Format::U16 if bits == 0xFFFF => return Err(unavailable()),
		Format::U16 => bits as f64,
		Format::I32 => f64::from(bits as u32 as i32),
		Format::U32 if bits == 0xFFFF_FFFF => return Err(unavailable()),
		Format::U32 => bits as f64,
		Format::U64 if bits == u64::MAX => return Err(unavailable()),
		Format::U64 => bits as f64,
	};
	let exponent = match register.scale_factor {
		None => 0,
		Some(a) => match word(a)? {
			0x8000 => return Err(unavailable()),
			sf => i32::from(sf as i16),
		},
	};
	if !(-10..=10).contains(&exponent) {
		return Err(Error::WrongMap(format!("{}: scale factor {exponent} out of range", map.name)));
	}
	Ok(value * register.scale * 10f64.powi(exponent) * register.unit.to_base())
}

/// Checks the map's identifying register, if it has one.
pub fn check(map: &RegisterMap, words: &Words) -> Result<(), Error> {
	let Some(check) = &map.check else { return Ok(()) };
	match words.get(&check.address) {
		Some(v) if *v == check.equals => Ok(()),
		found => Err(Error::WrongMap(format!(
			"{}: register {} holds {found:?}, expected {}",
			map.name, check.address, check.equals
		))),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn words(start: u16, values: &[u16]) -> Words {
		values.iter().enumerate().map(|(i, v)| (start + i as u16, *v)).collect()
	}

	fn f32_words(v: f32) -> [u16; 2] {
		let b = v.to_bits();
		[(b >> 16) as u16, b as u16]
	}

	#[test]
	fn every_built_in_map_parses() {
		let maps = load_maps(None).unwrap();
		assert_eq!(maps.len(), 8);
		assert_eq!(maps["sunspec-203"].check, Some(Check { address: 40070, equals: 203 }));
	}

	#[test]
	fn sdm630_float_kwh_becomes_wh() {
		let maps = load_maps(None).unwrap();
		let m = &maps["sdm630"];
		let [a, b] = f32_words(1234.5);
		let [c, d] = f32_words(2.25);
		let w = words(0x48, &[a, b, c, d]);
		assert_eq!(decode(m, &m.import, &w).unwrap(), 1_234_500.0);
		assert_eq!(decode(m, &m.export, &w).unwrap(), 2_250.0);
	}

	#[test]
	fn em24_low_word_first_tenths() {
		let maps = load_maps(None).unwrap();
		let m = &maps["em24"];
		// 123456 tenths of a kWh = 12,345.6 kWh, low word first.
		let v: u32 = 123_456;
		let mut w = words(0x42, &[v as u16, (v >> 16) as u16]);
		w.extend(words(0x5C, &[7, 0]));
		assert_eq!(decode(m, &m.import, &w).unwrap().round(), 12_345_600.0);
		assert_eq!(decode(m, &m.export, &w).unwrap().round(), 700.0);
	}

	#[test]
	fn abb_uint64_hundredths_and_not_available() {
		let maps = load_maps(None).unwrap();
		let m = &maps["abb-b23"];
		let v: u64 = 987_654_321; // 9,876,543.21 kWh
		let w = words(0x5000, &[(v >> 48) as u16, (v >> 32) as u16, (v >> 16) as u16, v as u16]);
		assert_eq!(decode(m, &m.import, &w).unwrap().round(), 9_876_543_210.0);
		let na = words(0x5004, &[0xFFFF; 4]);
		assert!(matches!(decode(m, &m.export, &na), Err(Error::NotAvailable(_))));
	}

	#[test]
	fn sunspec_scale_factor_and_model_check() {
		let maps = load_maps(None).unwrap();
		let m = &maps["sunspec-203"];
		let mut w = words(40070, &[203]);
		w.extend(words(40116, &[0x0001, 0x0000])); // 65,536 × 10^1 Wh
		w.insert(40124, 1);
		assert_eq!(check(m, &w), Ok(()));
		assert_eq!(decode(m, &m.import, &w).unwrap(), 655_360.0);
		w.insert(40070, 201);
		assert!(matches!(check(m, &w), Err(Error::WrongMap(_))));
		assert!(matches!(decode(m, &m.export, &w), Err(Error::WrongMap(_))), "not read");
	}

	#[test]
	fn requests_cover_every_register_in_few_reads() {
		let maps = load_maps(None).unwrap();
		assert_eq!(maps["sdm630"].requests(), vec![(0x34, 24)]);
		assert_eq!(maps["sunspec-203"].requests(), vec![(40070, 55)]);
		assert_eq!(maps["abb-b23"].requests(), vec![(0x5000, 8), (0x5B14, 2)]);
	}

	#[test]
	fn bad_maps_are_refused() {
		let power_as_energy =
			include_str!("../maps/sdm120.toml").replace("unit = \"W\"", "unit = \"kWh\"");
		assert!(matches!(RegisterMap::parse("x", &power_as_energy), Err(Error::Config(_))));
		assert!(matches!(RegisterMap::parse("x", "name = 1"), Err(Error::Config(_))));
	}
}
