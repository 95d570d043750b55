//! The settlement line rules, pure and integer-only: what a meter's interval pays or earns
//! from what it traded and what its meter measured, and how a later real reading trues up the
//! substitutes that stood in for it. Settlement (`settlement.rs`) applies them; the
//! [`Statement`] they fill is the pallets' shared view in `daeg_primitives::pricing`.

use daeg_primitives::{
	consumption::Correction,
	pricing::{ImbalancePrices, Statement},
	Energy, PricePerKWh, Rounding,
};

/// The line of a meter in an interval: `bought` and `sold` in the auction at `price`,
/// `consumed` and `exported` as metered; consumption beyond purchases at `tariff`, deviations
/// at `imbalance`. `None` if an amount overflows.
///
/// No deviation pays more than the position it deviates from: a shortfall costs at least
/// `price` (no seller keeps money for energy its meter did not measure), and bought energy left
/// unused is taken back at most at `price` (no buyer earns by bidding cheap and consuming
/// nothing, whatever the long price). Only export beyond what was sold earns the long price.
pub fn line(
	(bought, sold): (Energy, Energy),
	(consumed, exported): (Energy, Energy),
	price: PricePerKWh,
	tariff: PricePerKWh,
	imbalance: ImbalancePrices,
) -> Option<Statement> {
	let tariff_energy = consumed.saturating_sub(bought);
	let short = sold.saturating_sub(exported);
	let unused = bought.saturating_sub(consumed);
	let surplus = exported.saturating_sub(sold);
	let long_credit = imbalance
		.long
		.min(price)
		.cost_of(unused, Rounding::Down)?
		.checked_add(imbalance.long.cost_of(surplus, Rounding::Down)?)?;
	Some(Statement {
		bought,
		bought_cost: price.cost_of(bought, Rounding::Up)?,
		sold,
		sold_revenue: price.cost_of(sold, Rounding::Down)?,
		tariff_energy,
		tariff_cost: tariff.cost_of(tariff_energy, Rounding::Up)?,
		short,
		short_cost: imbalance.short.max(price).cost_of(short, Rounding::Up)?,
		long: unused.checked_add(surplus)?,
		long_credit,
	})
}

/// The line that trues up a meter's final substitutes against a later real reading
/// ([`Correction`]), at the `tariff` of the interval the reading came in and the `imbalance`
/// prices. A silent meter must never pay off: import the substitutes under-counted is charged
/// at the higher of the tariff and the short price, import they over-counted is refunded at the
/// lower of the tariff and the long price, and export (substitutes are never paid as delivery)
/// is credited at the long price up to `exportable`, what the connection carried over the
/// corrected intervals. A flagged reading is credited nothing. `None` if an amount overflows.
pub fn correction(
	correction: &Correction,
	tariff: PricePerKWh,
	imbalance: ImbalancePrices,
	exportable: Energy,
) -> Option<Statement> {
	let (counted, measured) = (correction.counted.0, correction.measured.0);
	let more = measured.saturating_sub(counted);
	let flagged = correction.anomaly.is_some();
	let less = if flagged { Energy::ZERO } else { counted.saturating_sub(measured) };
	let export = if flagged { Energy::ZERO } else { correction.measured.1.min(exportable) };
	Some(Statement {
		tariff_energy: more,
		tariff_cost: tariff.max(imbalance.short).cost_of(more, Rounding::Up)?,
		long: less.checked_add(export)?,
		long_credit: tariff
			.min(imbalance.long)
			.cost_of(less, Rounding::Down)?
			.checked_add(imbalance.long.cost_of(export, Rounding::Down)?)?,
		..Default::default()
	})
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	/// Prices up to the market's highest (10^18 per kWh) and energies up to a TWh: every
	/// amount fits, as in the runtime.
	fn price() -> impl Strategy<Value = PricePerKWh> {
		prop_oneof![0u128..1_000, 0u128..=1_000_000_000_000_000_000].prop_map(PricePerKWh)
	}

	fn energy() -> impl Strategy<Value = Energy> {
		prop_oneof![0u64..10_000, 0u64..=1_000_000_000_000].prop_map(Energy)
	}

	fn imbalance() -> impl Strategy<Value = ImbalancePrices> {
		(price(), price()).prop_map(|(a, b)| ImbalancePrices { short: a.max(b), long: a.min(b) })
	}

	/// What `energy` is worth at `price`, exactly (no rounding), in thousandths of a unit.
	fn worth(price: PricePerKWh, energy: Energy) -> i128 {
		(price.0 * u128::from(energy.0)) as i128
	}

	proptest! {
		#![proptest_config(ProptestConfig { cases: 5_000, .. ProptestConfig::default() })]

		/// A buyer that uses less than it bought (and exports nothing) pays at least what the
		/// energy it used cost at the clearing price: bidding cheap and consuming nothing never
		/// earns, whatever the long price.
		#[test]
		fn unused_purchases_never_pay_more_than_they_cost(
			bought in energy(), used in energy(), p in price(), tariff in price(),
			imb in imbalance(),
		) {
			let consumed = Energy(used.0.min(bought.0));
			let line = line((bought, Energy::ZERO), (consumed, Energy::ZERO), p, tariff, imb).unwrap();
			prop_assert!(line.net() * 1_000 <= -worth(p, consumed));
			prop_assert!(line.long_credit <= line.bought_cost);
			prop_assert!(line.net() <= 0);
		}

		/// A seller that delivers less than it sold (and imports nothing) receives at most what
		/// the energy it delivered is worth at the clearing price.
		#[test]
		fn shortfalls_never_pay_more_than_the_delivery(
			sold in energy(), delivered in energy(), p in price(), tariff in price(),
			imb in imbalance(),
		) {
			let exported = Energy(delivered.0.min(sold.0));
			let line = line((Energy::ZERO, sold), (Energy::ZERO, exported), p, tariff, imb).unwrap();
			prop_assert!(line.net() * 1_000 <= worth(p, exported));
		}

		/// Whatever was traded and metered, no line pays more than what the meter measured
		/// of the position is worth at the clearing price (sold energy delivered, less bought
		/// energy used) plus export beyond what was sold at the long price; charges are never
		/// rounded in the account's favour, credits never against the market.
		#[test]
		fn no_line_pays_more_than_what_was_measured(
			bought in energy(), sold in energy(), consumed in energy(), exported in energy(),
			p in price(), tariff in price(), imb in imbalance(),
		) {
			let line = line((bought, sold), (consumed, exported), p, tariff, imb).unwrap();
			let delivered = exported.min(sold);
			let used = consumed.min(bought);
			let surplus = exported.saturating_sub(sold);
			let measured = worth(p, delivered) - worth(p, used) + worth(imb.long, surplus);
			prop_assert!(line.net() * 1_000 <= measured);
			prop_assert!(line.bought_cost * 1_000 >= p.0 * u128::from(bought.0));
			prop_assert!(line.sold_revenue * 1_000 <= p.0 * u128::from(sold.0));
			prop_assert_eq!(line.long, bought.saturating_sub(consumed).saturating_add(surplus));
		}
	}

	#[test]
	fn bid_cheap_consume_nothing_earns_nothing() {
		// The attack of issue 21: long price 100 above a clearing price of 50.
		let imb = ImbalancePrices { short: PricePerKWh(400), long: PricePerKWh(100) };
		let line = line(
			(Energy(10_000), Energy::ZERO),
			(Energy::ZERO, Energy::ZERO),
			PricePerKWh(50),
			PricePerKWh(300),
			imb,
		)
		.unwrap();
		assert_eq!((line.bought_cost, line.long_credit, line.net()), (500, 500, 0));
	}
}
