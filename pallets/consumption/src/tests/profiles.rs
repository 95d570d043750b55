//! Consumers' preferences and priority classes, carbon intensities and footprints, and the
//! analytics queries behind the runtime API.

use super::{install, readings::START};
use crate::{mock::*, DayTotals, Error, Event, Preferences, Priorities, Profiles};
use daeg_primitives::{
	consumption::{
		ConsumerPreferences, ConsumerProfiles, FlexibleLoad, IntervalRecord, PriorityClass,
		PurchaseLedger, Quality,
	},
	consumption::{EnergyTotals, Period, ProfileHour},
	CarbonIntensity, Co2Mass, DayIndex, Energy, EnergySource, IntervalIndex, MeterId, Power,
	PricePerKWh,
};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

fn prefs() -> ConsumerPreferences {
	ConsumerPreferences {
		max_price: Some(PricePerKWh(300)),
		green_only: true,
		flexible_load: Some(FlexibleLoad { power: Power(2_000), max_hours_per_day: 3 }),
	}
}

#[test]
fn a_meter_owner_sets_and_clears_preferences() {
	run(|| {
		install(ALICE, 1);
		assert_ok!(Consumption::set_preferences(RuntimeOrigin::signed(ALICE), prefs()));
		System::assert_last_event(
			Event::PreferencesSet { who: ALICE, preferences: prefs() }.into(),
		);
		assert_eq!(<Consumption as ConsumerProfiles<u64>>::preferences(&ALICE), prefs());
		assert_ok!(Consumption::clear_preferences(RuntimeOrigin::signed(ALICE)));
		System::assert_last_event(Event::PreferencesCleared { who: ALICE }.into());
		assert_eq!(
			<Consumption as ConsumerProfiles<u64>>::preferences(&ALICE),
			ConsumerPreferences::default()
		);
	});
}

#[test]
fn bad_preferences_are_refused() {
	run(|| {
		assert_noop!(
			Consumption::set_preferences(RuntimeOrigin::signed(BOB), prefs()),
			Error::<Test>::NoMeter
		);
		install(ALICE, 1);
		let zero_price = ConsumerPreferences { max_price: Some(PricePerKWh(0)), ..prefs() };
		assert_noop!(
			Consumption::set_preferences(RuntimeOrigin::signed(ALICE), zero_price),
			Error::<Test>::ZeroMaxPrice
		);
		for (power, hours) in [(0, 3), (2_000, 0), (2_000, 25)] {
			let flexible = FlexibleLoad { power: Power(power), max_hours_per_day: hours };
			let p = ConsumerPreferences { flexible_load: Some(flexible), ..prefs() };
			assert_noop!(
				Consumption::set_preferences(RuntimeOrigin::signed(ALICE), p),
				Error::<Test>::BadFlexibleLoad
			);
		}
		assert_noop!(
			Consumption::clear_preferences(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::NoPreferences
		);
		assert_noop!(
			Consumption::set_preferences(RuntimeOrigin::none(), prefs()),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn the_grid_operators_assign_priority_classes() {
	run(|| {
		install(ALICE, 1);
		assert_ok!(Consumption::set_priority_class(
			RuntimeOrigin::signed(OPERATOR),
			ALICE,
			PriorityClass::Critical
		));
		System::assert_last_event(
			Event::PriorityClassSet { who: ALICE, class: PriorityClass::Critical }.into(),
		);
		assert_eq!(
			<Consumption as ConsumerProfiles<u64>>::priority(&ALICE),
			PriorityClass::Critical
		);
		assert!(PriorityClass::Critical > PriorityClass::Standard, "critical loads shed last");
		// Back to the default: nothing stored.
		assert_ok!(Consumption::set_priority_class(
			RuntimeOrigin::root(),
			ALICE,
			PriorityClass::Standard
		));
		assert!(!Priorities::<Test>::contains_key(ALICE));
	});
}

#[test]
fn bad_priority_assignments_are_refused() {
	run(|| {
		install(ALICE, 1);
		assert_noop!(
			Consumption::set_priority_class(
				RuntimeOrigin::signed(ALICE),
				ALICE,
				PriorityClass::Critical
			),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Consumption::set_priority_class(RuntimeOrigin::root(), BOB, PriorityClass::Critical),
			Error::<Test>::NoMeter
		);
		assert_noop!(
			Consumption::set_priority_class(RuntimeOrigin::root(), ALICE, PriorityClass::Standard),
			Error::<Test>::SamePriorityClass
		);
	});
}

#[test]
fn removing_the_last_meter_clears_preferences_and_priority() {
	run(|| {
		let a = install(ALICE, 1);
		let b = install(ALICE, 2);
		assert_ok!(Consumption::set_preferences(RuntimeOrigin::signed(ALICE), prefs()));
		assert_ok!(Consumption::set_priority_class(
			RuntimeOrigin::root(),
			ALICE,
			PriorityClass::Essential
		));
		assert_ok!(Consumption::remove_meter(RuntimeOrigin::signed(ALICE), a));
		assert!(Preferences::<Test>::contains_key(ALICE), "Alice still has a meter");
		assert_ok!(Consumption::remove_meter(RuntimeOrigin::signed(ALICE), b));
		assert!(!Preferences::<Test>::contains_key(ALICE));
		assert!(!Priorities::<Test>::contains_key(ALICE));
	});
}

#[test]
fn governance_sets_carbon_intensities() {
	run(|| {
		assert_ok!(Consumption::set_carbon_intensity(
			RuntimeOrigin::root(),
			Some(EnergySource::Thermal),
			CarbonIntensity(450)
		));
		System::assert_last_event(
			Event::CarbonIntensitySet {
				source: Some(EnergySource::Thermal),
				intensity: CarbonIntensity(450),
			}
			.into(),
		);
		assert_ok!(Consumption::set_carbon_intensity(
			RuntimeOrigin::signed(OPERATOR),
			None,
			CarbonIntensity(380)
		));
		assert_eq!(crate::ResidualIntensity::<Test>::get(), CarbonIntensity(380));
		assert_noop!(
			Consumption::set_carbon_intensity(
				RuntimeOrigin::signed(ALICE),
				None,
				CarbonIntensity(1)
			),
			DispatchError::BadOrigin
		);
	});
}

/// Puts final day totals of `imported` Wh for `meter` on `day`.
fn day_totals(meter: MeterId, day: u32, imported: u64) {
	let totals = EnergyTotals {
		imported: Energy(imported),
		peak_import: Energy(imported / 4),
		intervals: 96,
		..Default::default()
	};
	DayTotals::<Test>::insert(meter, day % DAYS_KEPT, (DayIndex(day), totals));
}

/// An interval of `day`.
fn on(day: u32) -> IntervalIndex {
	IntervalIndex(day * 96 + 40)
}

#[test]
fn the_footprint_follows_what_was_bought_and_the_residual_mix() {
	run(|| {
		let m1 = install(ALICE, 1);
		let m2 = install(ALICE, 2);
		day_totals(m1, 3, 6_000);
		day_totals(m2, 3, 4_000);
		for (source, g) in [(EnergySource::Solar, 40), (EnergySource::Thermal, 500)] {
			assert_ok!(Consumption::set_carbon_intensity(
				RuntimeOrigin::root(),
				Some(source),
				CarbonIntensity(g)
			));
		}
		assert_ok!(Consumption::set_carbon_intensity(
			RuntimeOrigin::root(),
			None,
			CarbonIntensity(400)
		));
		Consumption::note_purchase(&ALICE, on(3), EnergySource::Solar, Energy(3_000));
		Consumption::note_purchase(&ALICE, on(3), EnergySource::Solar, Energy(2_000));
		Consumption::note_purchase(&ALICE, on(3), EnergySource::Thermal, Energy(1_000));
		// Another day's purchase does not count.
		Consumption::note_purchase(&ALICE, on(4), EnergySource::Thermal, Energy(9_000));

		let f = Consumption::carbon_footprint(&ALICE, DayIndex(3));
		assert_eq!(f.consumed, Energy(10_000));
		assert_eq!(
			f.bought,
			vec![(EnergySource::Solar, Energy(5_000)), (EnergySource::Thermal, Energy(1_000))]
		);
		assert_eq!(f.residual, Energy(4_000));
		// 5 kWh × 40 + 1 kWh × 500 + 4 kWh × 400.
		assert_eq!(f.co2, Co2Mass(200 + 500 + 1_600));
	});
}

#[test]
fn buying_more_than_was_consumed_scales_the_mix_down() {
	run(|| {
		let m = install(ALICE, 1);
		day_totals(m, 3, 1_000);
		assert_ok!(Consumption::set_carbon_intensity(
			RuntimeOrigin::root(),
			Some(EnergySource::Thermal),
			CarbonIntensity(500)
		));
		Consumption::note_purchase(&ALICE, on(3), EnergySource::Wind, Energy(3_000));
		Consumption::note_purchase(&ALICE, on(3), EnergySource::Thermal, Energy(1_000));
		let f = Consumption::carbon_footprint(&ALICE, DayIndex(3));
		assert_eq!(
			f.bought,
			vec![(EnergySource::Wind, Energy(750)), (EnergySource::Thermal, Energy(250))]
		);
		assert_eq!((f.residual, f.co2), (Energy(0), Co2Mass(125)));
		// A purchase older than the kept days gives way to the new day in its slot.
		Consumption::note_purchase(&ALICE, on(3 + DAYS_KEPT), EnergySource::Solar, Energy(5));
		assert!(Consumption::carbon_footprint(&ALICE, DayIndex(3)).bought.is_empty());
	});
}

#[test]
fn analytics_report_meters_and_accounts() {
	run(|| {
		let m1 = install(ALICE, 1);
		let m2 = install(ALICE, 2);
		day_totals(m1, 3, 6_000);
		day_totals(m2, 3, 4_000);
		let r = Consumption::meter_report(m1, Period::Day(DayIndex(3))).unwrap();
		// Peak 1,500 Wh in a quarter-hour: 6 kW; 6,000 / (1,500 × 96).
		assert_eq!((r.imported, r.peak_import_power), (Energy(6_000), Power(6_000)));
		assert_eq!(r.load_factor, sp_runtime::Permill::from_rational(6_000u32, 144_000));
		let a = Consumption::account_report(&ALICE, Period::Day(DayIndex(3)));
		assert_eq!((a.imported, a.peak_import_power), (Energy(10_000), Power(10_000)));
		assert_eq!(Consumption::account_report(&BOB, Period::Day(DayIndex(3))).imported, Energy(0));
		assert_eq!(Consumption::meter_report(MeterId(99), Period::Day(DayIndex(3))), None);

		// The typical day: per-interval averages as energy per hour.
		let mut profile = [ProfileHour::default(); 24];
		profile[7] = ProfileHour { imported: Energy(250), exported: Energy(10), samples: 5 };
		Profiles::<Test>::insert(m1, profile);
		let day = Consumption::daily_profile(m1).unwrap();
		assert_eq!(
			(day[7].imported, day[7].exported, day[7].samples),
			(Energy(1_000), Energy(40), 5)
		);
		assert_eq!(Consumption::daily_profile(MeterId(99)), None);
	});
}

#[test]
fn the_intervals_query_returns_held_records_with_their_finality() {
	run(|| {
		let m = install(ALICE, 1);
		crate::Meters::<Test>::mutate(m, |meter| {
			let meter = meter.as_mut().unwrap();
			meter.readings.counter = 1;
			meter.readings.last = Some(crate::LastReading {
				interval: IntervalIndex(START + 2),
				imported: Energy(0),
				exported: Energy(0),
			});
			meter.readings.finalized = IntervalIndex(START + 1);
		});
		for t in [START + 1, START + 2] {
			let r = IntervalRecord {
				interval: IntervalIndex(t),
				imported: Energy(u64::from(t)),
				exported: Energy(0),
				quality: Quality::Measured,
				anomaly: None,
			};
			crate::History::<Test>::insert(m, t % HISTORY, r);
		}
		let got = Consumption::intervals(m, IntervalIndex(0), IntervalIndex(START + 10));
		assert_eq!(got.len(), 2);
		assert_eq!((got[0].record.interval, got[0].is_final), (IntervalIndex(START + 1), true));
		assert_eq!((got[1].record.interval, got[1].is_final), (IntervalIndex(START + 2), false));
		assert!(Consumption::intervals(MeterId(99), IntervalIndex(0), IntervalIndex(9)).is_empty());
	});
}
