//! The runtime's migrations on a chain laid out as before them.

mod common;

use common::dev_chain;
use daeg_primitives::{
	grid::{TimeScale, ZoneLink, ZoneSpec},
	Power, ZoneId,
};
use daeg_runtime::{
	configs::{BalancingName, MarketName},
	Grid, Migrations, Runtime,
};
use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
use pallet_grid::migrations::v1::old;

#[test]
fn a_chain_from_before_the_grid_pallet_keeps_its_intervals_zones_and_links() {
	dev_chain().execute_with(|| {
		// The layout before the grid pallet: the clock and the links in the market, the zones'
		// limits in balancing, and the grid pallet's storage at version 0.
		let length = pallet_grid::IntervalLength::<Runtime>::take();
		let mut zones: Vec<(ZoneId, ZoneSpec)> = pallet_grid::Zones::<Runtime>::drain().collect();
		zones.sort_by_key(|(zone, _)| *zone);
		assert_eq!(zones.len(), 8, "the dev chain sets every zone's limits");
		let scale = TimeScale { chain_origin_ms: 1_000, grid_origin_ms: 2_000, rate: 120 };
		let link =
			|a, b| ZoneLink { a: ZoneId(a), b: ZoneId(b), a_to_b: Power(5), b_to_a: Power(7) };
		let links = vec![link(0, 1), link(1, 2)];
		old::IntervalLength::<MarketName>::put(length);
		old::GridTimeScale::<MarketName>::put(scale);
		old::Links::<MarketName>::put(links.clone());
		for (zone, spec) in &zones {
			old::Zones::<BalancingName>::insert(zone, spec);
		}
		StorageVersion::new(0).put::<Grid>();

		Migrations::on_runtime_upgrade();

		assert_eq!(pallet_grid::IntervalLength::<Runtime>::get(), length);
		assert_eq!(pallet_grid::GridTimeScale::<Runtime>::get(), Some(scale));
		assert_eq!(pallet_grid::Links::<Runtime>::get().into_inner(), links);
		let mut moved: Vec<_> = pallet_grid::Zones::<Runtime>::iter().collect();
		moved.sort_by_key(|(zone, _)| *zone);
		assert_eq!(moved, zones);
		assert_eq!(old::IntervalLength::<MarketName>::get(), None);
		assert_eq!(old::GridTimeScale::<MarketName>::get(), None);
		assert_eq!(old::Links::<MarketName>::get(), None);
		assert_eq!(old::Zones::<BalancingName>::iter().count(), 0);
		assert_eq!(Grid::on_chain_storage_version(), StorageVersion::new(1));
		assert!(pallet_grid::Pallet::<Runtime>::do_try_state().is_ok());

		// Once only: at version 1 the migration no longer runs.
		old::IntervalLength::<MarketName>::put(7 * 60_000);
		Migrations::on_runtime_upgrade();
		assert_eq!(pallet_grid::IntervalLength::<Runtime>::get(), length);
	});
}

#[test]
fn a_new_chain_starts_at_the_grids_current_version() {
	dev_chain().execute_with(|| {
		assert_eq!(Grid::on_chain_storage_version(), Grid::in_code_storage_version());
		let length = pallet_grid::IntervalLength::<Runtime>::get();
		Migrations::on_runtime_upgrade();
		assert_eq!(pallet_grid::IntervalLength::<Runtime>::get(), length);
	});
}
