//! Unit tests of the consumption pallet: every call, every error path, events and invariants.

use crate::{mock::*, HoldReason, NextMeterId};
use daeg_primitives::{consumption::MeterKind, MeterId, Power, ZoneId};
use frame_support::{assert_ok, traits::fungible::InspectHold};
use sp_runtime::DispatchResult;

mod finalize;
mod offchain;
mod profiles;
mod readings;
mod registry;

/// Installs a meter with device key `n` for `who`, with valid defaults for the rest.
pub(crate) fn try_install(who: u64, zone: u16, max_power: u64, n: u8) -> DispatchResult {
	Consumption::install_meter(
		RuntimeOrigin::signed(who),
		MeterKind::Bidirectional,
		ZoneId(zone),
		Power(max_power),
		key(n),
	)
}

pub(crate) fn install(who: u64, n: u8) -> MeterId {
	let id = NextMeterId::<Test>::get();
	assert_ok!(try_install(who, 1, 11_000, n));
	id
}

pub(crate) fn held(who: u64) -> u128 {
	Balances::balance_on_hold(&RuntimeHoldReason::Consumption(HoldReason::MeterDeposit), &who)
}
