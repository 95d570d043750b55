//! A zone's limits as rules, pure and integer-only: when its load is a peak.

use daeg_primitives::{grid::ZoneSpec, Energy, Power};

/// The energy a zone of `spec` may draw in `interval_ms` before its load is a peak: its
/// capacity's peak share over the interval (no limit if that overflows).
pub fn peak_threshold(spec: &ZoneSpec, interval_ms: u64) -> Energy {
	Power(spec.peak_share.mul_floor(spec.capacity.0))
		.energy_over(interval_ms)
		.unwrap_or(Energy(u64::MAX))
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_runtime::Perbill;

	#[test]
	fn a_peak_is_the_capacitys_share_over_the_interval() {
		let spec = ZoneSpec {
			capacity: Power(100_000),
			peak_share: Perbill::from_percent(80),
			parent: None,
		};
		// 80 kW for a quarter-hour.
		assert_eq!(peak_threshold(&spec, 900_000), Energy(20_000));
		assert_eq!(
			peak_threshold(&ZoneSpec { capacity: Power(u64::MAX), ..spec }, u64::MAX),
			Energy(u64::MAX)
		);
	}
}
