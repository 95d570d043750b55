//! The production rules, pure and integer-only: a facility's capacity factor and availability
//! from its final production days. The report is the pallets' shared view in
//! `daeg_primitives::production`.

use daeg_primitives::{
	production::{ProductionDay, ProductionReport},
	Power, HOUR_MS,
};
use sp_runtime::Permill;

/// The report of `days` (merged) for a facility of `capacity` with intervals `interval_ms`
/// long: the capacity factor is the energy over what the nameplate delivers in the intervals
/// counted, the availability the share of those intervals with output.
pub fn report(days: &ProductionDay, capacity: Power, interval_ms: u64) -> ProductionReport {
	let ceiling = u128::from(capacity.0)
		.saturating_mul(u128::from(interval_ms))
		.saturating_mul(u128::from(days.intervals))
		/ u128::from(HOUR_MS);
	let share = |part: u128, all: u128| {
		if all == 0 {
			Permill::zero()
		} else {
			Permill::from_rational(part.min(all), all)
		}
	};
	ProductionReport {
		energy: days.energy,
		intervals: days.intervals,
		estimated: days.estimated,
		capacity_factor: share(u128::from(days.energy.0), ceiling),
		availability: share(u128::from(days.producing), u128::from(days.intervals)),
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use daeg_primitives::Energy;

	#[test]
	fn capacity_factor_and_availability() {
		// 4 kW for 96 quarter-hours can deliver 96 kWh; 24 kWh is 25 %.
		let day =
			ProductionDay { energy: Energy(24_000), intervals: 96, producing: 48, estimated: 2 };
		let r = report(&day, Power(4_000), 900_000);
		assert_eq!(r.capacity_factor, Permill::from_percent(25));
		assert_eq!(r.availability, Permill::from_percent(50));
		assert_eq!((r.energy, r.estimated), (Energy(24_000), 2));
		let empty = report(&ProductionDay::default(), Power(4_000), 900_000);
		assert_eq!((empty.capacity_factor, empty.availability), (Permill::zero(), Permill::zero()));
		let mut two = day;
		two.merge(&day);
		assert_eq!((two.energy, two.intervals), (Energy(48_000), 192));
	}
}
