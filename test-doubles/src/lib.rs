//! Test doubles of the traits DAEG's pallets call each other through, written once for every
//! pallet's mock runtime (accounts are `u64`): a meter registry, a facility registry, final
//! values, a purchase ledger and a grid (zones and clock). Each keeps its state in a thread-local
//! the tests fill ([`TestMeters`], [`TestFacilities`], [`FinalValues`], [`FinalDays`],
//! [`Purchases`], [`NowMs`]); a mock's genesis calls [`reset`].

use daeg_primitives::{
	consumption::{
		EnergyTotals, IntervalRecord, MeterInfo, MeterKind, MeterRegistry, MeterStatus,
		MeteredEnergy, PurchaseLedger,
	},
	grid::{Grid, GridClock, ZoneLink, ZoneSpec},
	production::{FacilityInfo, FacilityRegistry},
	DayIndex, Energy, EnergySource, FacilityId, IntervalIndex, MeterId, Power, ZoneId,
};
use frame_support::{parameter_types, traits::ConstU32, weights::Weight, BoundedVec};

/// A meter in [`TestMeters`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TestMeter {
	/// Its id.
	pub id: MeterId,
	/// Its owner.
	pub owner: u64,
	/// Its zone.
	pub zone: ZoneId,
	/// What it measures.
	pub kind: MeterKind,
	/// Active (else suspended).
	pub active: bool,
}

/// A facility in [`TestFacilities`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TestFacility {
	/// Its id.
	pub id: FacilityId,
	/// Its owner.
	pub owner: u64,
	/// Its source.
	pub source: EnergySource,
	/// Its zone.
	pub zone: ZoneId,
	/// Whether it may sell (certified, not in maintenance).
	pub may_sell: bool,
	/// Its production meter.
	pub meter: MeterId,
}

parameter_types! {
	/// The registered meters.
	pub static TestMeters: Vec<TestMeter> = vec![];
	/// The registered facilities.
	pub static TestFacilities: Vec<TestFacility> = vec![];
	/// Final values the consumption pallet would hold.
	pub static FinalValues: Vec<(MeterId, IntervalRecord)> = vec![];
	/// Final import per meter and day.
	pub static FinalDays: Vec<(MeterId, DayIndex, Energy)> = vec![];
	/// Purchases reported: (buyer, interval, source, energy).
	pub static Purchases: Vec<(u64, IntervalIndex, EnergySource, Energy)> = vec![];
	/// Grid time, ms.
	pub static NowMs: u64 = 0;
}

/// Empties every table and sets grid time to `now_ms`.
pub fn reset(now_ms: u64) {
	TestMeters::set(vec![]);
	TestFacilities::set(vec![]);
	FinalValues::set(vec![]);
	FinalDays::set(vec![]);
	Purchases::set(vec![]);
	NowMs::set(now_ms);
}

/// Registers an active meter of `kind` of `owner`'s in `zone`; ids count from 1.
pub fn add_meter(owner: u64, zone: u16, kind: MeterKind) -> MeterId {
	let id = MeterId(TestMeters::get().len() as u64 + 1);
	TestMeters::mutate(|m| m.push(TestMeter { id, owner, zone: ZoneId(zone), kind, active: true }));
	id
}

/// Activates or suspends `meter`.
pub fn set_active(meter: MeterId, active: bool) {
	TestMeters::mutate(|ms| {
		ms.iter_mut().filter(|m| m.id == meter).for_each(|m| m.active = active)
	});
}

/// Registers a facility of `owner`'s of `source` in `zone` that may sell (or not), with its
/// own production meter.
pub fn add_facility(owner: u64, source: EnergySource, zone: u16, may_sell: bool) -> FacilityId {
	let meter = add_meter(owner, zone, MeterKind::Production);
	let id = FacilityId(TestFacilities::get().len() as u32 + 1);
	let facility = TestFacility { id, owner, source, zone: ZoneId(zone), may_sell, meter };
	TestFacilities::mutate(|f| f.push(facility));
	id
}

/// The production meter of facility `id`.
pub fn meter_of_facility(id: FacilityId) -> Option<MeterId> {
	TestFacilities::get().into_iter().find(|f| f.id == id).map(|f| f.meter)
}

/// Makes `record` the final value of `meter` in its interval.
pub fn record_final(meter: MeterId, record: IntervalRecord) {
	FinalValues::mutate(|v| v.push((meter, record)));
}

/// Makes `imported` the final import of `meter` on `day`.
pub fn set_final_day(meter: MeterId, day: DayIndex, imported: Energy) {
	FinalDays::mutate(|days| {
		days.retain(|(m, d, _)| (*m, *d) != (meter, day));
		days.push((meter, day, imported));
	});
}

/// The meter registry over [`TestMeters`]; every meter carries `MAX_POWER_W`.
pub struct Meters<const MAX_POWER_W: u64>;
impl<const MAX_POWER_W: u64> MeterRegistry<u64> for Meters<MAX_POWER_W> {
	fn meter(id: MeterId) -> Option<MeterInfo<u64>> {
		TestMeters::get().into_iter().find(|m| m.id == id).map(|m| MeterInfo {
			owner: m.owner,
			kind: m.kind,
			zone: m.zone,
			max_power: Power(MAX_POWER_W),
			status: if m.active { MeterStatus::Active } else { MeterStatus::Suspended },
		})
	}
}

/// The facility registry over [`TestFacilities`]; every facility has `CAPACITY_W`.
pub struct Facilities<const CAPACITY_W: u64>;
impl<const CAPACITY_W: u64> FacilityRegistry<u64> for Facilities<CAPACITY_W> {
	fn facility(id: FacilityId) -> Option<FacilityInfo<u64>> {
		TestFacilities::get().into_iter().find(|f| f.id == id).map(|f| FacilityInfo {
			owner: f.owner,
			source: f.source,
			capacity: Power(CAPACITY_W),
			zone: f.zone,
			meter: f.meter,
		})
	}
	fn may_sell(id: FacilityId, _at_ms: u64) -> bool {
		TestFacilities::get().into_iter().any(|f| f.id == id && f.may_sell)
	}
}

/// Final values over [`FinalValues`] and [`FinalDays`].
pub struct Metered;
impl MeteredEnergy for Metered {
	fn final_energy(meter: MeterId, interval: IntervalIndex) -> Option<IntervalRecord> {
		FinalValues::get()
			.into_iter()
			.find(|(m, r)| *m == meter && r.interval == interval)
			.map(|(_, r)| r)
	}
	fn final_day(meter: MeterId, day: DayIndex) -> Option<EnergyTotals> {
		FinalDays::get()
			.into_iter()
			.find(|(m, d, _)| *m == meter && *d == day)
			.map(|(_, _, imported)| EnergyTotals { imported, intervals: 1, ..Default::default() })
	}
}

/// A purchase ledger that records what it is told in [`Purchases`].
pub struct Ledger;
impl PurchaseLedger<u64> for Ledger {
	fn note_purchase(buyer: &u64, interval: IntervalIndex, source: EnergySource, energy: Energy) {
		Purchases::mutate(|p| p.push((*buyer, interval, source, energy)));
	}
	fn note_purchase_weight() -> Weight {
		Weight::zero()
	}
}

/// A grid of zones `0` to `N - 1`, without limits or links, whose clock has `INTERVAL_MS`
/// intervals and stands at [`NowMs`].
pub struct TestGrid<const N: u32, const INTERVAL_MS: u64>;
impl<const N: u32, const INTERVAL_MS: u64> GridClock for TestGrid<N, INTERVAL_MS> {
	fn interval_length_ms() -> u64 {
		INTERVAL_MS
	}
	fn now_ms() -> u64 {
		NowMs::get()
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn set_now_ms(at_ms: u64) {
		NowMs::set(at_ms)
	}
}
impl<const N: u32, const INTERVAL_MS: u64> Grid for TestGrid<N, INTERVAL_MS> {
	type MaxZones = ConstU32<N>;
	type MaxLinks = ConstU32<0>;
	fn zone(_: ZoneId) -> Option<ZoneSpec> {
		None
	}
	fn links() -> BoundedVec<ZoneLink, ConstU32<0>> {
		BoundedVec::new()
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn set_zone(_: ZoneId, _: Option<ZoneSpec>) {}
	#[cfg(feature = "runtime-benchmarks")]
	fn set_links(_: BoundedVec<ZoneLink, ConstU32<0>>) {}
}
