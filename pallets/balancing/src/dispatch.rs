//! Storage dispatch: which units charge or discharge how much in an interval to cover a zone's
//! forecast imbalance, within each unit's power and state of charge. Pure functions, so that
//! the hook, the RPC and the tests share one rule.

use alloc::vec::Vec;
pub use daeg_primitives::balancing::Action;
use daeg_primitives::{Energy, Power};
use sp_runtime::Perbill;

/// What dispatch needs of a storage unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnitState {
	/// The most energy it stores.
	pub capacity: Energy,
	/// What it stores now.
	pub charge: Energy,
	/// The most power it draws when charging.
	pub max_charge: Power,
	/// The most power it delivers when discharging.
	pub max_discharge: Power,
	/// The share of energy drawn that it stores (round-trip losses are taken when charging).
	pub efficiency: Perbill,
}

impl UnitState {
	/// The most it can draw in `interval_ms`: its power, and the most whose stored part
	/// (× efficiency, exactly) fits the room left.
	pub fn can_draw(&self, interval_ms: u64) -> Energy {
		let room = u128::from(self.capacity.saturating_sub(self.charge).0);
		let parts = u128::from(self.efficiency.deconstruct());
		// e × parts / 10⁹ ≤ room  ⟺  e ≤ ⌊room × 10⁹ / parts⌋.
		let by_room = room
			.saturating_mul(1_000_000_000)
			.checked_div(parts)
			.map_or(0, |e| u64::try_from(e).unwrap_or(u64::MAX));
		Energy(by_room).min(Self::over(self.max_charge, interval_ms))
	}

	/// The most it can deliver in `interval_ms`: its power and its charge.
	pub fn can_deliver(&self, interval_ms: u64) -> Energy {
		self.charge.min(Self::over(self.max_discharge, interval_ms))
	}

	/// The energy `power` moves in `interval_ms` (unbounded if that overflows).
	fn over(power: Power, interval_ms: u64) -> Energy {
		power.energy_over(interval_ms).unwrap_or(Energy(u64::MAX))
	}

	/// Its charge after `action`: a draw stores its energy × efficiency (rounded down), a
	/// delivery takes its energy.
	pub fn after(&self, action: Action) -> Energy {
		match action {
			Action::Idle => self.charge,
			Action::Charge(e) => self.charge.saturating_add(Energy(self.efficiency.mul_floor(e.0))),
			Action::Discharge(e) => self.charge.saturating_sub(e),
		}
	}
}

/// Covers a zone's forecast `short`fall by discharging and its `long` surplus by charging its
/// `units`, in order, each as far as it can in `interval_ms`. Returns each unit's action and
/// what was left uncovered.
pub fn dispatch(
	units: &[UnitState],
	short: Energy,
	long: Energy,
	interval_ms: u64,
) -> (Vec<Action>, Energy) {
	// A zone is either short or long: net them.
	let (need, charging) = if short >= long {
		(short.saturating_sub(long), false)
	} else {
		(long.saturating_sub(short), true)
	};
	let mut left = need;
	let actions = units
		.iter()
		.map(|u| {
			if left.is_zero() {
				return Action::Idle;
			}
			let e = if charging { u.can_draw(interval_ms) } else { u.can_deliver(interval_ms) }
				.min(left);
			left = left.saturating_sub(e);
			match (e.is_zero(), charging) {
				(true, _) => Action::Idle,
				(false, true) => Action::Charge(e),
				(false, false) => Action::Discharge(e),
			}
		})
		.collect();
	(actions, left)
}

#[cfg(test)]
mod tests {
	use super::*;

	/// A quarter-hour.
	const QUARTER: u64 = 900_000;

	/// A 10 kWh battery holding `charge` Wh, 4 kW each way, 90 % efficient.
	fn battery(charge: u64) -> UnitState {
		UnitState {
			capacity: Energy(10_000),
			charge: Energy(charge),
			max_charge: Power(4_000),
			max_discharge: Power(4_000),
			efficiency: Perbill::from_percent(90),
		}
	}

	#[test]
	fn a_midday_surplus_charges_storage_within_its_power() {
		// 1.5 kWh surplus: one battery takes it (4 kW × 15 min = 1 kWh each at most).
		let units = [battery(2_000), battery(2_000)];
		let (actions, left) = dispatch(&units, Energy(0), Energy(1_500), QUARTER);
		assert_eq!(actions, vec![Action::Charge(Energy(1_000)), Action::Charge(Energy(500))]);
		assert_eq!(left, Energy(0));
		// It stores 90 % of what it draws.
		assert_eq!(units[0].after(actions[0]), Energy(2_900));
	}

	#[test]
	fn an_evening_shortfall_discharges_storage_within_its_charge() {
		let units = [battery(300), battery(5_000)];
		let (actions, left) = dispatch(&units, Energy(2_000), Energy(0), QUARTER);
		assert_eq!(actions, vec![Action::Discharge(Energy(300)), Action::Discharge(Energy(1_000))]);
		// Both together deliver 1.3 kWh: 0.7 kWh stays uncovered.
		assert_eq!(left, Energy(700));
		assert_eq!(units[0].after(actions[0]), Energy(0));
	}

	#[test]
	fn a_nearly_full_unit_draws_only_what_fits_after_losses() {
		// 450 Wh of room at 90 %: it may draw 500 Wh (stores 450), not 501.
		let unit = battery(9_550);
		assert_eq!(unit.can_draw(QUARTER), Energy(500));
		assert_eq!(unit.after(Action::Charge(Energy(500))), Energy(10_000));
		let (actions, left) = dispatch(&[unit], Energy(0), Energy(800), QUARTER);
		assert_eq!(actions, vec![Action::Charge(Energy(500))]);
		assert_eq!(left, Energy(300));
		// A full unit and one that stores nothing draw nothing.
		assert_eq!(battery(10_000).can_draw(QUARTER), Energy(0));
		let lossy = UnitState { efficiency: Perbill::zero(), ..battery(0) };
		assert_eq!(lossy.can_draw(QUARTER), Energy(0));
	}

	#[test]
	fn short_and_long_net_and_nothing_to_do_leaves_units_idle() {
		let units = [battery(5_000)];
		let (actions, left) = dispatch(&units, Energy(1_200), Energy(1_000), QUARTER);
		assert_eq!((actions, left), (vec![Action::Discharge(Energy(200))], Energy(0)));
		let (actions, left) = dispatch(&units, Energy(700), Energy(700), QUARTER);
		assert_eq!((actions, left), (vec![Action::Idle], Energy(0)));
		// Units after the need is covered stay idle.
		let (actions, _) =
			dispatch(&[battery(5_000), battery(5_000)], Energy(100), Energy(0), QUARTER);
		assert_eq!(actions, vec![Action::Discharge(Energy(100)), Action::Idle]);
	}

	#[test]
	fn charges_never_leave_zero_and_capacity() {
		// Every draw and delivery dispatch allows keeps the charge within [0, capacity].
		for charge in (0..=10_000).step_by(137) {
			for need in [1, 99, 1_000, 50_000] {
				let unit = battery(charge);
				for (short, long) in [(need, 0), (0, need)] {
					let (actions, _) = dispatch(&[unit], Energy(short), Energy(long), QUARTER);
					let after = unit.after(actions[0]);
					assert!(after <= unit.capacity, "{charge} {need}");
					if let Action::Discharge(e) = actions[0] {
						assert!(e <= unit.charge);
					}
				}
			}
		}
	}
}
