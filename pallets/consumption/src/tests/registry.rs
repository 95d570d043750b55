//! The meter registry: every call, every error path, events and invariants.

use super::{held, install, try_install};

use crate::{mock::*, DeviceKeys, Error, Event, Meters, MetersOf, NextMeterId};
use daeg_primitives::{
	consumption::{MeterKind, MeterRegistry, MeterStatus},
	MeterId, Power, ZoneId,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, Mutate},
};
use sp_runtime::DispatchError;

#[test]
fn install_registers_the_meter_and_holds_the_deposit() {
	run(|| {
		let id = install(ALICE, 1);
		assert_eq!(id, MeterId(0));
		let m = Meters::<Test>::get(id).unwrap();
		assert_eq!(m.owner, ALICE);
		assert_eq!(m.kind, MeterKind::Bidirectional);
		assert_eq!(m.zone, ZoneId(1));
		assert_eq!(m.max_power, Power(11_000));
		assert_eq!(m.status, MeterStatus::Installed);
		assert_eq!(m.deposit, DEPOSIT);
		assert_eq!(m.installed_at, 1);
		assert_eq!(MetersOf::<Test>::get(ALICE).into_inner(), vec![id]);
		assert_eq!(DeviceKeys::<Test>::get(key(1)), Some(id));
		assert_eq!(NextMeterId::<Test>::get(), MeterId(1));
		assert_eq!(held(ALICE), DEPOSIT);
		assert_eq!(Balances::balance(&ALICE), 1_000 - DEPOSIT);
		System::assert_last_event(
			Event::MeterInstalled {
				meter: id,
				owner: ALICE,
				kind: MeterKind::Bidirectional,
				zone: ZoneId(1),
			}
			.into(),
		);
		// The registry as other pallets see it.
		let info = Consumption::meter(id).unwrap();
		assert_eq!(info.owner, ALICE);
		assert!(!info.is_active());
		assert_eq!(Consumption::meter(MeterId(9)), None);
	});
}

#[test]
fn install_rejects_bad_input() {
	run(|| {
		assert_noop!(try_install(ALICE, 4, 5_000, 1), Error::<Test>::UnknownZone);
		assert_noop!(try_install(ALICE, 0, 0, 1), Error::<Test>::ZeroMaxPower);
		assert_noop!(try_install(PAUPER, 0, 5_000, 1), Error::<Test>::InsufficientBalance);
		assert_noop!(
			Consumption::install_meter(
				RuntimeOrigin::none(),
				MeterKind::Consumption,
				ZoneId(0),
				Power(5_000),
				key(1)
			),
			DispatchError::BadOrigin
		);
		install(ALICE, 1);
		// The same device key cannot sign for two meters, whoever installs it.
		assert_noop!(try_install(BOB, 0, 5_000, 1), Error::<Test>::DeviceKeyInUse);
	});
}

#[test]
fn install_is_bounded_per_owner() {
	run(|| {
		for n in 1..=3 {
			install(ALICE, n);
		}
		assert_noop!(try_install(ALICE, 0, 1, 4), Error::<Test>::TooManyMeters);
		// Bob is not affected by Alice's limit.
		install(BOB, 4);
	});
}

#[test]
fn meter_ids_never_wrap() {
	run(|| {
		NextMeterId::<Test>::put(MeterId(u64::MAX));
		assert_noop!(try_install(ALICE, 0, 1, 1), Error::<Test>::MeterIdsExhausted);
	});
}

#[test]
fn operators_activate_and_suspend() {
	run(|| {
		let id = install(ALICE, 1);
		assert_noop!(
			Consumption::activate_meter(RuntimeOrigin::signed(ALICE), id),
			DispatchError::BadOrigin
		);
		assert_ok!(Consumption::activate_meter(RuntimeOrigin::signed(OPERATOR), id));
		assert_eq!(Meters::<Test>::get(id).unwrap().status, MeterStatus::Active);
		assert!(Consumption::meter(id).unwrap().is_active());
		System::assert_last_event(Event::MeterActivated { meter: id }.into());
		assert_noop!(
			Consumption::activate_meter(RuntimeOrigin::root(), id),
			Error::<Test>::AlreadyActive
		);

		assert_noop!(
			Consumption::suspend_meter(RuntimeOrigin::signed(ALICE), id),
			DispatchError::BadOrigin
		);
		assert_ok!(Consumption::suspend_meter(RuntimeOrigin::root(), id));
		assert_eq!(Meters::<Test>::get(id).unwrap().status, MeterStatus::Suspended);
		System::assert_last_event(Event::MeterSuspended { meter: id }.into());
		assert_noop!(
			Consumption::suspend_meter(RuntimeOrigin::signed(OPERATOR), id),
			Error::<Test>::AlreadySuspended
		);
		// A suspended meter can be activated again.
		assert_ok!(Consumption::activate_meter(RuntimeOrigin::signed(OPERATOR), id));

		assert_noop!(
			Consumption::activate_meter(RuntimeOrigin::root(), MeterId(7)),
			Error::<Test>::UnknownMeter
		);
		assert_noop!(
			Consumption::suspend_meter(RuntimeOrigin::root(), MeterId(7)),
			Error::<Test>::UnknownMeter
		);
	});
}

#[test]
fn rotating_the_device_key_requires_activation_again() {
	run(|| {
		let id = install(ALICE, 1);
		install(BOB, 2);
		assert_ok!(Consumption::activate_meter(RuntimeOrigin::root(), id));

		assert_noop!(
			Consumption::rotate_device_key(RuntimeOrigin::signed(BOB), id, key(3)),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Consumption::rotate_device_key(RuntimeOrigin::signed(ALICE), id, key(2)),
			Error::<Test>::DeviceKeyInUse
		);
		assert_noop!(
			Consumption::rotate_device_key(RuntimeOrigin::signed(ALICE), MeterId(9), key(3)),
			Error::<Test>::UnknownMeter
		);

		assert_ok!(Consumption::rotate_device_key(RuntimeOrigin::signed(ALICE), id, key(3)));
		let m = Meters::<Test>::get(id).unwrap();
		assert_eq!(m.device_key, key(3));
		assert_eq!(m.status, MeterStatus::Installed);
		assert_eq!(DeviceKeys::<Test>::get(key(1)), None);
		assert_eq!(DeviceKeys::<Test>::get(key(3)), Some(id));
		System::assert_last_event(Event::DeviceKeyRotated { meter: id }.into());
		// The old key is free again.
		install(BOB, 1);
	});
}

#[test]
fn removing_returns_the_deposit() {
	run(|| {
		let a = install(ALICE, 1);
		let b = install(ALICE, 2);
		assert_eq!(held(ALICE), 2 * DEPOSIT);

		assert_noop!(
			Consumption::remove_meter(RuntimeOrigin::signed(BOB), a),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Consumption::remove_meter(RuntimeOrigin::signed(ALICE), MeterId(9)),
			Error::<Test>::UnknownMeter
		);

		assert_ok!(Consumption::remove_meter(RuntimeOrigin::signed(ALICE), a));
		assert_eq!(Meters::<Test>::get(a), None);
		assert_eq!(DeviceKeys::<Test>::get(key(1)), None);
		assert_eq!(MetersOf::<Test>::get(ALICE).into_inner(), vec![b]);
		assert_eq!(held(ALICE), DEPOSIT);
		System::assert_last_event(Event::MeterRemoved { meter: a, owner: ALICE }.into());

		assert_ok!(Consumption::remove_meter(RuntimeOrigin::signed(ALICE), b));
		assert_eq!(held(ALICE), 0);
		assert_eq!(Balances::balance(&ALICE), 1_000);
		assert!(!MetersOf::<Test>::contains_key(ALICE));
		// Ids are never reused.
		assert_eq!(install(ALICE, 1), MeterId(2));
	});
}

#[test]
fn certifiers_do_not_activate_their_own_meters_nor_undo_the_operators() {
	run(|| {
		assert_ok!(Balances::mint_into(&CERTIFIER, 1_000));
		let own = install(CERTIFIER, 1);
		let theirs = install(ALICE, 2);
		assert_noop!(
			Consumption::activate_meter(RuntimeOrigin::signed(CERTIFIER), own),
			Error::<Test>::OwnMeter
		);
		assert_ok!(Consumption::activate_meter(RuntimeOrigin::signed(CERTIFIER), theirs));
		assert_noop!(
			Consumption::suspend_meter(RuntimeOrigin::signed(CERTIFIER), own),
			Error::<Test>::OwnMeter
		);
		// The operators suspend Alice's meter: the certifier cannot lift it; they can.
		assert_ok!(Consumption::suspend_meter(RuntimeOrigin::signed(OPERATOR), theirs));
		assert_noop!(
			Consumption::activate_meter(RuntimeOrigin::signed(CERTIFIER), theirs),
			Error::<Test>::SuspendedByOperators
		);
		assert_ok!(Consumption::activate_meter(RuntimeOrigin::root(), theirs));
		assert_eq!(Meters::<Test>::get(theirs).unwrap().status, MeterStatus::Active);
		// A suspension by a certifier a certifier may lift.
		assert_ok!(Consumption::suspend_meter(RuntimeOrigin::signed(CERTIFIER), theirs));
		assert_ok!(Consumption::activate_meter(RuntimeOrigin::signed(CERTIFIER), theirs));
		assert_ok!(Consumption::activate_meter(RuntimeOrigin::root(), own));
	});
}

#[test]
fn nobody_leaves_without_paying() {
	use frame_support::traits::Hooks;
	run(|| {
		let id = super::readings::meter_with_baseline();
		let remove = || Consumption::remove_meter(RuntimeOrigin::signed(ALICE), id);
		// The owner owes the market.
		InArrears::set(vec![ALICE]);
		assert_noop!(remove(), Error::<Test>::OwnerInArrears);
		InArrears::set(vec![]);
		// The meter has orders in an interval not yet settled.
		WithPositions::set(vec![id]);
		assert_noop!(remove(), Error::<Test>::OpenPositions);
		WithPositions::set(vec![]);
		// Its last reading's interval is not final yet.
		super::readings::at(super::readings::START + 2);
		assert_ok!(super::readings::apply(
			super::readings::reading(id, super::readings::START + 1, 1_500, 0, 2),
			1
		));
		assert_noop!(remove(), Error::<Test>::UnsettledIntervals);
		// Once the lateness window has passed and the pass made it final, it may go.
		super::readings::at(super::readings::START + 3 + LATENESS);
		Consumption::on_idle(1, frame_support::weights::Weight::MAX);
		assert_ok!(remove());
	});
}

#[test]
fn try_state_catches_a_broken_registry() {
	new_test_ext().execute_with(|| {
		let id = install(ALICE, 1);
		assert!(Consumption::do_try_state().is_ok());
		DeviceKeys::<Test>::remove(key(1));
		assert!(Consumption::do_try_state().is_err());
		DeviceKeys::<Test>::insert(key(1), id);
		MetersOf::<Test>::remove(ALICE);
		assert!(Consumption::do_try_state().is_err());
	});
}

#[test]
fn genesis_meters_are_installed_active_with_their_deposits_held() {
	use sp_runtime::BuildStorage;
	let storage = RuntimeGenesisConfig {
		balances: pallet_balances::GenesisConfig {
			balances: vec![(ALICE, 1_000)],
			..Default::default()
		},
		consumption: crate::GenesisConfig {
			meters: vec![(ALICE, MeterKind::Consumption, ZoneId(2), Power(7_000), key(9))],
		},
		..Default::default()
	}
	.build_storage()
	.unwrap();
	sp_io::TestExternalities::new(storage).execute_with(|| {
		let m = Meters::<Test>::get(MeterId(0)).unwrap();
		assert_eq!((m.owner, m.zone, m.max_power), (ALICE, ZoneId(2), Power(7_000)));
		assert_eq!(m.status, MeterStatus::Active);
		assert_eq!(DeviceKeys::<Test>::get(key(9)), Some(MeterId(0)));
		assert_eq!(held(ALICE), DEPOSIT);
		assert_ok!(Consumption::do_try_state());
	});
}
