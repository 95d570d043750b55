//! # DAEG primitives
//!
//! The domain types every DAEG pallet, the runtime and the node share. Units live in the
//! types: [`Energy`] is watt-hours, [`Power`] is watts, [`PricePerKWh`] is the chain's smallest
//! currency unit per kilowatt-hour and [`Money`] is an amount of the smallest currency unit.
//! There are no floats: every conversion is integer arithmetic that is either checked
//! (returns `None` on overflow) or saturating, and says which way it rounds.
//!
//! Types are declared through [`stored_type!`] (SCALE with `MaxEncodedLen`, `scale-info`),
//! [`shared_type!`] (and `serde`) or [`view_type!`] (runtime API answers), so that they can be
//! stored on chain, described in metadata for polkadot.js and used in chain specs and RPC
//! answers, with one list of derives for each use.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

/// Derives what a type kept in storage needs: SCALE encoding and decoding with a bound on its
/// size (`MaxEncodedLen`), metadata for clients (`TypeInfo`), `Clone`, `Debug` and equality;
/// more derives in the brackets. The caller imports the derive macros (`codec`, `scale_info`),
/// as it would to write the list itself.
#[macro_export]
macro_rules! stored_type {
	([$($extra:ident),* $(,)?] $item:item) => {
		#[derive(
			Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
			TypeInfo, $($extra),*
		)]
		$item
	};
}

/// A [`stored_type!`] that clients also read and write as JSON (RPC answers, chain specs):
/// with `serde`'s `Serialize` and `Deserialize`.
#[macro_export]
macro_rules! shared_type {
	([$($extra:ident),* $(,)?] $item:item) => {
		#[derive(
			Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
			TypeInfo, Serialize, Deserialize, $($extra),*
		)]
		$item
	};
}

/// A type only runtime APIs return (never stored, so unbounded): SCALE, metadata and JSON.
#[macro_export]
macro_rules! view_type {
	([$($extra:ident),* $(,)?] $item:item) => {
		#[derive(
			Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo,
			Serialize, Deserialize, $($extra),*
		)]
		$item
	};
}

pub mod balancing;
pub mod consumption;
pub mod grid;
pub mod pricing;
pub mod production;
pub mod ring;

pub use grid::{Grid, GridClock, TimeScale};

/// The balance type of the chain: an amount of the smallest currency unit.
///
/// In JSON (RPC answers) a `Money` field is a decimal string, as JavaScript's numbers lose
/// precision above 2^53 (9,007 units of 10^12): use it with
/// `#[serde(with = "daeg_primitives::money_string")]`.
pub type Money = u128;

/// Serializes [`Money`] as a decimal string; reads a string or a JSON number.
pub mod money_string {
	use super::Money;
	use core::fmt;
	use serde::{de, Deserializer, Serializer};

	/// Writes `value` as a decimal string.
	pub fn serialize<S: Serializer>(value: &Money, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.collect_str(value)
	}

	/// Reads a decimal string or a non-negative integer.
	pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
		struct Visitor;
		impl de::Visitor<'_> for Visitor {
			type Value = Money;
			fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
				f.write_str("an amount as a decimal string or a non-negative integer")
			}
			fn visit_str<E: de::Error>(self, v: &str) -> Result<Money, E> {
				v.parse().map_err(E::custom)
			}
			fn visit_u64<E: de::Error>(self, v: u64) -> Result<Money, E> {
				Ok(v.into())
			}
			fn visit_u128<E: de::Error>(self, v: u128) -> Result<Money, E> {
				Ok(v)
			}
		}
		deserializer.deserialize_any(Visitor)
	}
}

/// Milliseconds in one hour: the factor between W·ms and Wh.
const MILLIS_PER_HOUR: u128 = 3_600_000;
/// Watt-hours in one kilowatt-hour.
const WH_PER_KWH: u128 = 1_000;

/// Implements the traits every unit newtype shares: conversion from and to the raw integer
/// and checked/saturating addition and subtraction within the same unit.
macro_rules! unit_newtype {
	($(#[$doc:meta])* $name:ident($inner:ty), $unit:literal) => {
		$(#[$doc])*
		#[derive(
			Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash,
			Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
			Serialize, Deserialize,
		)]
		#[serde(transparent)]
		pub struct $name(pub $inner);

		impl $name {
			/// The zero value.
			pub const ZERO: Self = Self(0);
			/// The unit's symbol, for logs and documentation.
			pub const UNIT: &'static str = $unit;

			/// The raw integer value in this unit.
			pub const fn get(self) -> $inner {
				self.0
			}
			/// `self + rhs`, or `None` on overflow.
			pub fn checked_add(self, rhs: Self) -> Option<Self> {
				self.0.checked_add(rhs.0).map(Self)
			}
			/// `self - rhs`, or `None` if `rhs > self`.
			pub fn checked_sub(self, rhs: Self) -> Option<Self> {
				self.0.checked_sub(rhs.0).map(Self)
			}
			/// `self + rhs`, saturating at the type's maximum.
			pub fn saturating_add(self, rhs: Self) -> Self {
				Self(self.0.saturating_add(rhs.0))
			}
			/// `self - rhs`, saturating at zero.
			pub fn saturating_sub(self, rhs: Self) -> Self {
				Self(self.0.saturating_sub(rhs.0))
			}
			/// Whether the value is zero.
			pub const fn is_zero(self) -> bool {
				self.0 == 0
			}
		}

		impl From<$inner> for $name {
			fn from(v: $inner) -> Self {
				Self(v)
			}
		}

		impl From<$name> for $inner {
			fn from(v: $name) -> $inner {
				v.0
			}
		}
	};
}

unit_newtype!(
	/// An amount of electrical energy in watt-hours (Wh).
	///
	/// `u64` watt-hours covers 1.8 × 10¹⁹ Wh: far more than any grid produces in its life.
	Energy(u64),
	"Wh"
);

unit_newtype!(
	/// An electrical power in watts (W).
	Power(u64),
	"W"
);

unit_newtype!(
	/// A price of energy: the chain's smallest currency unit per kilowatt-hour.
	PricePerKWh(Money),
	"unit/kWh"
);

unit_newtype!(
	/// The carbon intensity of energy: grams of CO₂ (equivalent) emitted per kilowatt-hour.
	CarbonIntensity(u32),
	"g/kWh"
);

unit_newtype!(
	/// A mass of CO₂ (equivalent) in grams.
	Co2Mass(u64),
	"g"
);

unit_newtype!(
	/// Solar irradiance on a horizontal surface, in watts per square metre (W/m²).
	Irradiance(u32),
	"W/m²"
);

unit_newtype!(
	/// A wind speed at hub height, in millimetres per second (mm/s).
	WindSpeed(u32),
	"mm/s"
);

shared_type!(
	[Copy, Default, PartialOrd, Ord, Hash]
	/// An air temperature in thousandths of a degree Celsius (m°C): signed, unlike the other
	/// units.
	#[serde(transparent)]
	pub struct Temperature(pub i32);
);

impl Temperature {
	/// The unit's symbol.
	pub const UNIT: &'static str = "m°C";

	/// A temperature in whole degrees Celsius (saturating).
	pub const fn from_celsius(celsius: i32) -> Self {
		Self(celsius.saturating_mul(1_000))
	}

	/// How far `self` lies below `other`, in m°C (zero if it does not).
	pub const fn below(self, other: Self) -> u32 {
		if self.0 < other.0 {
			other.0.abs_diff(self.0)
		} else {
			0
		}
	}
}

impl CarbonIntensity {
	/// The CO₂ emitted for `energy` at this intensity, rounded down to whole grams (saturating
	/// at the type's maximum, which no grid reaches).
	pub fn emissions_of(self, energy: Energy) -> Co2Mass {
		let grams = u128::from(self.0).saturating_mul(u128::from(energy.0)) / WH_PER_KWH;
		Co2Mass(u64::try_from(grams).unwrap_or(u64::MAX))
	}
}

impl Energy {
	/// Energy from kilowatt-hours. `None` on overflow.
	pub fn from_kwh(kwh: u64) -> Option<Self> {
		kwh.checked_mul(1_000).map(Self)
	}

	/// Energy delivered by a constant `power` over `millis` milliseconds, rounded down to
	/// whole watt-hours. `None` if the result does not fit.
	pub fn from_power_over(power: Power, millis: u64) -> Option<Self> {
		let wms = u128::from(power.0).checked_mul(u128::from(millis))?;
		u64::try_from(wms / MILLIS_PER_HOUR).ok().map(Self)
	}

	/// The average power that delivers this energy in `millis` milliseconds, rounded down.
	/// `None` for a zero duration or if the result does not fit.
	pub fn average_power_over(self, millis: u64) -> Option<Power> {
		if millis == 0 {
			return None;
		}
		let wms = u128::from(self.0).checked_mul(MILLIS_PER_HOUR)?;
		u64::try_from(wms / u128::from(millis)).ok().map(Power)
	}

	/// The smaller of two energies.
	pub fn min(self, other: Self) -> Self {
		Self(self.0.min(other.0))
	}
}

impl Power {
	/// Power from kilowatts. `None` on overflow.
	pub fn from_kw(kw: u64) -> Option<Self> {
		kw.checked_mul(1_000).map(Self)
	}

	/// The most energy this power can deliver in `millis` milliseconds (rounded down).
	pub fn energy_over(self, millis: u64) -> Option<Energy> {
		Energy::from_power_over(self, millis)
	}
}

/// Which way a money amount computed from energy and price is rounded.
///
/// Settlement rounds what a buyer pays up and what a seller receives down, so that rounding
/// never creates money out of nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
	/// Towards zero.
	Down,
	/// Away from zero.
	Up,
}

impl PricePerKWh {
	/// The cost of `energy` at this price, in the smallest currency unit, rounded as asked.
	/// `None` on overflow.
	pub fn cost_of(self, energy: Energy, rounding: Rounding) -> Option<Money> {
		let product = self.0.checked_mul(u128::from(energy.0))?;
		let whole = product / WH_PER_KWH;
		match rounding {
			Rounding::Down => Some(whole),
			Rounding::Up if product % WH_PER_KWH != 0 => whole.checked_add(1),
			Rounding::Up => Some(whole),
		}
	}

	/// The price at which `energy` costs `money`, rounded down. `None` for zero energy or on
	/// overflow.
	pub fn from_total(money: Money, energy: Energy) -> Option<Self> {
		if energy.is_zero() {
			return None;
		}
		money.checked_mul(WH_PER_KWH).map(|m| Self(m / u128::from(energy.0)))
	}
}

/// Defines an identifier newtype over an unsigned integer.
macro_rules! id_newtype {
	($(#[$doc:meta])* $name:ident($inner:ty)) => {
		$(#[$doc])*
		#[derive(
			Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash,
			Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
			Serialize, Deserialize,
		)]
		#[serde(transparent)]
		pub struct $name(pub $inner);

		impl $name {
			/// The identifier that follows this one, or `None` when the space is used up.
			pub fn next(self) -> Option<Self> {
				self.0.checked_add(1).map(Self)
			}
		}

		impl From<$inner> for $name {
			fn from(v: $inner) -> Self {
				Self(v)
			}
		}
	};
}

id_newtype!(
	/// Identifies a registered smart meter.
	MeterId(u64)
);
id_newtype!(
	/// Identifies a registered production or storage facility.
	FacilityId(u32)
);
id_newtype!(
	/// Identifies a grid zone: a part of the grid behind one feeder or transformer, with its
	/// own price when transfer limits to its neighbours bind.
	ZoneId(u16)
);
id_newtype!(
	/// Index of a market interval: interval `i` covers grid time
	/// `[i × length, (i + 1) × length)` milliseconds since the Unix epoch, for the chain's
	/// interval length. Grid time is the block timestamp, so intervals line up with wall-clock
	/// quarter-hours (or whatever length the chain uses) as meters and markets expect.
	IntervalIndex(u32)
);

impl IntervalIndex {
	/// The interval that contains the moment `at_ms` when intervals are `length_ms` long.
	/// `None` for a zero length or an index beyond `u32`.
	pub fn at(at_ms: u64, length_ms: u64) -> Option<Self> {
		at_ms.checked_div(length_ms).and_then(|i| u32::try_from(i).ok()).map(Self)
	}

	/// The first moment of this interval. `None` on overflow.
	pub fn start_ms(self, length_ms: u64) -> Option<u64> {
		u64::from(self.0).checked_mul(length_ms)
	}

	/// The first moment after this interval. `None` on overflow.
	pub fn end_ms(self, length_ms: u64) -> Option<u64> {
		self.start_ms(length_ms)?.checked_add(length_ms)
	}

	/// The interval `n` intervals after this one. `None` on overflow.
	pub fn checked_add(self, n: u32) -> Option<Self> {
		self.0.checked_add(n).map(Self)
	}

	/// The interval `n` intervals before this one, or interval 0.
	pub fn saturating_sub(self, n: u32) -> Self {
		Self(self.0.saturating_sub(n))
	}

	/// How many intervals `self` lies after `earlier`; `None` if it does not.
	pub fn since(self, earlier: Self) -> Option<u32> {
		self.0.checked_sub(earlier.0)
	}
}

/// Milliseconds in an hour and in a day: grid time is UTC, without leap seconds.
pub const HOUR_MS: u64 = 3_600_000;
/// Milliseconds in a day.
pub const DAY_MS: u64 = 24 * HOUR_MS;

id_newtype!(
	/// Identifies a registered storage unit (a battery, pumped hydro) the balancing pallet
	/// dispatches.
	UnitId(u32)
);
id_newtype!(
	/// A UTC calendar day: days since 1970-01-01.
	DayIndex(u32)
);
id_newtype!(
	/// A UTC calendar month: months since January 1970 (`12 × (year − 1970) + month − 1`).
	MonthIndex(u32)
);
id_newtype!(
	/// A UTC hour: hours since 1970-01-01 00:00 (the unit of certificates of origin).
	HourIndex(u32)
);

impl IntervalIndex {
	/// The day the interval starts in. `None` on overflow.
	pub fn day(self, length_ms: u64) -> Option<DayIndex> {
		let day = self.start_ms(length_ms)?.checked_div(DAY_MS)?;
		u32::try_from(day).ok().map(DayIndex)
	}

	/// The hour the interval starts in. `None` on overflow.
	pub fn hour(self, length_ms: u64) -> Option<HourIndex> {
		let hour = self.start_ms(length_ms)?.checked_div(HOUR_MS)?;
		u32::try_from(hour).ok().map(HourIndex)
	}

	/// Whether the interval is the last one that starts in its hour.
	pub fn ends_hour(self, length_ms: u64) -> bool {
		let (Some(start), Some(end)) = (self.start_ms(length_ms), self.end_ms(length_ms)) else {
			return false;
		};
		// The next interval starts in a later hour.
		end.checked_div(HOUR_MS) != start.checked_div(HOUR_MS)
	}

	/// The hour of the (UTC) day the interval starts in, 0 to 23. `None` on overflow.
	pub fn hour_of_day(self, length_ms: u64) -> Option<u8> {
		let hour = self.start_ms(length_ms)?.checked_div(HOUR_MS)?.checked_rem(24)?;
		u8::try_from(hour).ok()
	}
}

impl DayIndex {
	/// The day that contains the moment `at_ms` (the last `u32` day beyond it).
	pub fn at(at_ms: u64) -> Self {
		Self(u32::try_from(at_ms / DAY_MS).unwrap_or(u32::MAX))
	}

	/// The calendar date of this day: year, month (1 to 12) and day of the month (1 to 31), in
	/// the proleptic Gregorian calendar, computed with integers only (H. Hinnant's
	/// `civil_from_days`).
	pub fn date(self) -> (i64, u8, u8) {
		let z = i64::from(self.0).saturating_add(719_468);
		let era = z.div_euclid(146_097);
		let doe = z.saturating_sub(era.saturating_mul(146_097)); // [0, 146096]
		let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
		let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
		let mp = (5 * doy + 2) / 153; // [0, 11], March first
		let day = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
		let month = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
		let year =
			yoe.saturating_add(era.saturating_mul(400)).saturating_add(i64::from(month <= 2));
		(year, month as u8, day as u8)
	}

	/// The day of a calendar date (the inverse of [`DayIndex::date`], H. Hinnant's
	/// `days_from_civil`); `None` for a month or day out of range or a day before 1970 or
	/// beyond `u32`. Days past a short month's end roll into the next month.
	pub fn from_date(year: i64, month: u8, day: u8) -> Option<Self> {
		if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
			return None;
		}
		let (month, day) = (i64::from(month), i64::from(day));
		let year = year.checked_sub(i64::from(month <= 2))?;
		let era = year.div_euclid(400);
		let yoe = year.checked_sub(era.checked_mul(400)?)?; // [0, 399]
		let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
		let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
		let days = era.checked_mul(146_097)?.checked_add(doe)?.checked_sub(719_468)?;
		u32::try_from(days).ok().map(Self)
	}

	/// The calendar month this day lies in.
	pub fn month(self) -> MonthIndex {
		let (year, month, _) = self.date();
		let index =
			year.saturating_sub(1970).saturating_mul(12).saturating_add(i64::from(month) - 1);
		MonthIndex(u32::try_from(index).unwrap_or(0))
	}
}

impl HourIndex {
	/// The hour that contains the moment `at_ms` (the last `u32` hour beyond it).
	pub fn at(at_ms: u64) -> Self {
		Self(u32::try_from(at_ms / HOUR_MS).unwrap_or(u32::MAX))
	}

	/// The day this hour lies in.
	pub const fn day(self) -> DayIndex {
		DayIndex(self.0 / 24)
	}
}

impl MonthIndex {
	/// The calendar year and month (1 to 12).
	pub const fn year_month(self) -> (u32, u8) {
		(1970 + self.0 / 12, (self.0 % 12) as u8 + 1)
	}
}

shared_type!(
	[Copy, PartialOrd, Ord, Hash]
	/// The kind of plant or resource behind a facility or a unit of energy.
	pub enum EnergySource {
		/// Photovoltaic.
		Solar,
		/// Wind turbines.
		Wind,
		/// Run-of-river or reservoir hydro.
		Hydro,
		/// Fuel-fired plant (gas, biomass, diesel).
		Thermal,
		/// A microgrid selling its net surplus.
		Microgrid,
		/// Batteries and other storage discharging.
		Storage,
		/// Energy imported from the upstream grid.
		Grid,
	}
);

impl EnergySource {
	/// Every source, in declaration order.
	pub const ALL: [EnergySource; 7] = [
		EnergySource::Solar,
		EnergySource::Wind,
		EnergySource::Hydro,
		EnergySource::Thermal,
		EnergySource::Microgrid,
		EnergySource::Storage,
		EnergySource::Grid,
	];

	/// Whether energy from this source counts as renewable for certificates of origin.
	/// Storage, microgrids and the grid only pass on energy whose origin is certified
	/// elsewhere, so they are not renewable by themselves.
	pub const fn is_renewable(self) -> bool {
		matches!(self, EnergySource::Solar | EnergySource::Wind | EnergySource::Hydro)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn money_is_a_decimal_string_in_json() {
		#[derive(Serialize, Deserialize, PartialEq, Debug)]
		struct Amount {
			#[serde(with = "money_string")]
			pot: Money,
		}
		// 2^53 + 1: a JSON number here would come back as 2^53 in JavaScript.
		let exact = Amount { pot: 9_007_199_254_740_993 };
		let json = serde_json::to_string(&exact).unwrap();
		assert_eq!(json, r#"{"pot":"9007199254740993"}"#);
		assert_eq!(serde_json::from_str::<Amount>(&json).unwrap(), exact);
		// Numbers are read too (hand-written chain specs and older clients).
		assert_eq!(serde_json::from_str::<Amount>(r#"{"pot":12}"#).unwrap(), Amount { pot: 12 });
		assert!(serde_json::from_str::<Amount>(r#"{"pot":"-1"}"#).is_err());
		assert!(serde_json::from_str::<Amount>(r#"{"pot":"1.5"}"#).is_err());
	}

	#[test]
	fn power_over_time_is_energy() {
		// 1 kW for one hour is 1 kWh.
		assert_eq!(Energy::from_power_over(Power(1_000), 3_600_000), Some(Energy(1_000)));
		// 4 kW for 15 minutes is 1 kWh.
		assert_eq!(Power(4_000).energy_over(15 * 60 * 1_000), Some(Energy(1_000)));
		// Rounds down: 1 W for 1 s is 1/3600 Wh.
		assert_eq!(Energy::from_power_over(Power(1), 1_000), Some(Energy(0)));
		// Overflow of the u64 result is reported, not wrapped.
		assert_eq!(Energy::from_power_over(Power(u64::MAX), u64::MAX), None);
	}

	#[test]
	fn average_power_inverts_energy() {
		assert_eq!(Energy(1_000).average_power_over(15 * 60 * 1_000), Some(Power(4_000)));
		assert_eq!(Energy(1).average_power_over(0), None);
		assert_eq!(Energy(u64::MAX).average_power_over(1), None);
	}

	#[test]
	fn a_time_scale_runs_grid_time_faster_from_its_origin() {
		// 30 s of chain time are one grid hour.
		let scale = TimeScale { chain_origin_ms: 1_000_000, grid_origin_ms: 5_000, rate: 120 };
		assert_eq!(scale.grid_ms(1_000_000), 5_000);
		assert_eq!(scale.grid_ms(1_030_000), 5_000 + 3_600_000);
		// Before its origin grid time stands still; it saturates rather than wraps.
		assert_eq!(scale.grid_ms(0), 5_000);
		assert_eq!(scale.grid_ms(u64::MAX), u64::MAX);
		// The inverse rounds up: the first chain ms at which grid time has reached it.
		assert_eq!(scale.chain_ms(5_000 + 3_600_000), 1_030_000);
		assert_eq!(scale.chain_ms(5_001), 1_000_001);
		assert!(scale.grid_ms(scale.chain_ms(5_001)) >= 5_001);
	}

	#[test]
	fn kilo_units() {
		assert_eq!(Energy::from_kwh(3), Some(Energy(3_000)));
		assert_eq!(Power::from_kw(5), Some(Power(5_000)));
		assert_eq!(Energy::from_kwh(u64::MAX), None);
		assert_eq!(Power::from_kw(u64::MAX), None);
	}

	#[test]
	fn cost_rounds_as_asked() {
		let price = PricePerKWh(250); // 250 units per kWh
		assert_eq!(price.cost_of(Energy(4_000), Rounding::Down), Some(1_000));
		assert_eq!(price.cost_of(Energy(4_000), Rounding::Up), Some(1_000));
		// 1 Wh at 250/kWh is 0.25 units.
		assert_eq!(price.cost_of(Energy(1), Rounding::Down), Some(0));
		assert_eq!(price.cost_of(Energy(1), Rounding::Up), Some(1));
		assert_eq!(PricePerKWh(u128::MAX).cost_of(Energy(2), Rounding::Down), None);
	}

	#[test]
	fn price_from_total() {
		assert_eq!(PricePerKWh::from_total(1_000, Energy(4_000)), Some(PricePerKWh(250)));
		assert_eq!(PricePerKWh::from_total(1, Energy(0)), None);
		assert_eq!(PricePerKWh::from_total(u128::MAX, Energy(1)), None);
	}

	#[test]
	fn unit_arithmetic_is_checked() {
		assert_eq!(Energy(5).checked_add(Energy(7)), Some(Energy(12)));
		assert_eq!(Energy(u64::MAX).checked_add(Energy(1)), None);
		assert_eq!(Energy(5).checked_sub(Energy(7)), None);
		assert_eq!(Energy(5).saturating_sub(Energy(7)), Energy::ZERO);
		assert_eq!(Power(u64::MAX).saturating_add(Power(1)), Power(u64::MAX));
		assert!(Energy::ZERO.is_zero());
		assert_eq!(Energy(3).min(Energy(2)), Energy(2));
		assert_eq!(u64::from(Energy::from(9u64)), 9);
	}

	#[test]
	fn intervals_map_grid_time() {
		let quarter = 900_000;
		assert_eq!(IntervalIndex::at(0, quarter), Some(IntervalIndex(0)));
		assert_eq!(IntervalIndex::at(quarter - 1, quarter), Some(IntervalIndex(0)));
		assert_eq!(IntervalIndex::at(quarter, quarter), Some(IntervalIndex(1)));
		assert_eq!(IntervalIndex::at(5, 0), None);
		assert_eq!(IntervalIndex::at(u64::MAX, 1), None);
		assert_eq!(IntervalIndex(3).start_ms(quarter), Some(3 * quarter));
		assert_eq!(IntervalIndex(3).end_ms(quarter), Some(4 * quarter));
		assert_eq!(IntervalIndex(1).checked_add(2), Some(IntervalIndex(3)));
		assert_eq!(IntervalIndex(u32::MAX).checked_add(1), None);
		assert_eq!(IntervalIndex(2).saturating_sub(5), IntervalIndex(0));
		assert_eq!(IntervalIndex(7).since(IntervalIndex(5)), Some(2));
		assert_eq!(IntervalIndex(5).since(IntervalIndex(7)), None);
	}

	struct QuarterHours;
	impl GridClock for QuarterHours {
		fn interval_length_ms() -> u64 {
			900_000
		}
		fn now_ms() -> u64 {
			2 * 900_000 + 5
		}
		#[cfg(feature = "runtime-benchmarks")]
		fn set_now_ms(_: u64) {}
	}

	#[test]
	fn grid_clock_derives_intervals() {
		assert_eq!(QuarterHours::current_interval(), IntervalIndex(2));
		assert_eq!(QuarterHours::intervals_in(7_200_000), 8);
		assert_eq!(QuarterHours::intervals_in(1), 1);
	}

	#[test]
	fn calendar_days_and_months() {
		let quarter = 900_000;
		// 2026-11-24 10:15 UTC is day 20_781.
		let at = 20_781 * DAY_MS + 10 * HOUR_MS + quarter;
		let i = IntervalIndex::at(at, quarter);
		assert_eq!(i.and_then(|i| i.day(quarter)), Some(DayIndex(20_781)));
		assert_eq!(i.and_then(|i| i.hour_of_day(quarter)), Some(10));
		assert_eq!(DayIndex(20_781).month().year_month(), (2026, 11));
		assert_eq!(DayIndex(0).month(), MonthIndex(0));
		assert_eq!(DayIndex(31).month().year_month(), (1970, 2));
		// Leap years: 2024-02-29 is day 19_782, 2024-03-01 the day after.
		assert_eq!(DayIndex(19_782).month().year_month(), (2024, 2));
		assert_eq!(DayIndex(19_783).month().year_month(), (2024, 3));
		assert_eq!(DayIndex(20_781).date(), (2026, 11, 24));
		assert_eq!(DayIndex(0).date(), (1970, 1, 1));
		assert_eq!(DayIndex(19_782).date(), (2024, 2, 29));
		assert_eq!(DayIndex(19_783).date(), (2024, 3, 1));
		for day in [0, 31, 59, 11_016, 19_782, 19_783, 20_781, 47_540, 47_541, u32::MAX] {
			let (y, m, d) = DayIndex(day).date();
			assert_eq!(DayIndex::from_date(y, m, d), Some(DayIndex(day)), "{y}-{m}-{d}");
		}
		assert_eq!(DayIndex::from_date(1969, 12, 31), None);
		assert_eq!(DayIndex::from_date(2025, 13, 1), None);
		assert_eq!(DayIndex::from_date(2025, 6, 0), None);
		// 2000 was a leap year, 2100 is not: 2100-03-01 is day 47_541.
		assert_eq!(DayIndex(11_016).month().year_month(), (2000, 2));
		assert_eq!(DayIndex(47_540).month().year_month(), (2100, 2));
		assert_eq!(DayIndex(47_541).month().year_month(), (2100, 3));
		assert_eq!(DayIndex(u32::MAX).month().year_month(), (11_761_191, 1));
	}

	#[test]
	fn hours_of_intervals() {
		let quarter = 900_000;
		let at = 20_781 * DAY_MS + 10 * HOUR_MS;
		let hour = HourIndex(20_781 * 24 + 10);
		assert_eq!(HourIndex::at(at + 1), hour);
		assert_eq!(hour.day(), DayIndex(20_781));
		let first = IntervalIndex::at(at, quarter).unwrap_or_default();
		assert_eq!(first.hour(quarter), Some(hour));
		// Of an hour's four quarters only the last ends it.
		let ends: Vec<bool> =
			(0..4).map(|k| IntervalIndex(first.0 + k).ends_hour(quarter)).collect();
		assert_eq!(ends, vec![false, false, false, true]);
		// A 40-minute interval ends an hour when the next one starts in a later hour.
		assert!(IntervalIndex(1).ends_hour(2_400_000));
		assert!(!IntervalIndex(0).ends_hour(2_400_000));
		assert_eq!(HourIndex::at(u64::MAX), HourIndex(u32::MAX));
		assert_eq!(DayIndex::at(at + 1), DayIndex(20_781));
		assert_eq!(DayIndex::at(u64::MAX), DayIndex(u32::MAX));
	}

	#[test]
	fn carbon_of_energy() {
		assert_eq!(CarbonIntensity(400).emissions_of(Energy(2_500)), Co2Mass(1_000));
		assert_eq!(CarbonIntensity(1).emissions_of(Energy(999)), Co2Mass(0));
		assert_eq!(CarbonIntensity(u32::MAX).emissions_of(Energy(u64::MAX)), Co2Mass(u64::MAX));
	}

	#[test]
	fn ids_advance_without_wrapping() {
		assert_eq!(MeterId(1).next(), Some(MeterId(2)));
		assert_eq!(FacilityId(u32::MAX).next(), None);
		assert_eq!(ZoneId::from(4u16), ZoneId(4));
	}

	#[test]
	fn renewable_sources() {
		let renewable: Vec<_> =
			EnergySource::ALL.iter().copied().filter(|s| s.is_renewable()).collect();
		assert_eq!(renewable, vec![EnergySource::Solar, EnergySource::Wind, EnergySource::Hydro]);
	}

	#[test]
	fn scale_encoding_is_the_inner_integer() {
		assert_eq!(Energy(0x0102).encode(), 0x0102u64.encode());
		assert_eq!(Energy::decode(&mut &0x0102u64.encode()[..]), Ok(Energy(0x0102)));
		assert_eq!(EnergySource::Wind.encode(), vec![1u8]);
		assert_eq!(ZoneId::max_encoded_len(), 2);
	}

	#[test]
	fn serde_is_transparent() {
		assert_eq!(serde_json::to_string(&Power(42)).ok(), Some("42".into()));
		assert_eq!(serde_json::from_str::<MeterId>("7").ok(), Some(MeterId(7)));
		assert_eq!(serde_json::to_string(&EnergySource::Hydro).ok(), Some("\"Hydro\"".into()));
	}
}
