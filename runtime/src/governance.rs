//! Governance: no single key holds Root.
//!
//! The grid operators act together through one `pallet-multisig` account (M of N; 2 of 3 of the
//! well-known dev accounts on the dev and local chains). The chain spec makes that account the
//! key of `pallet-sudo`, which is kept only to turn the operators' approved calls into Root
//! calls: an operator alone can neither call `sudo` nor any Root-only call.
//!
//! The same account is the **grid-emergency origin** ([`GridOperatorOrigin`]): the energy
//! pallets' emergency calls (declare an emergency, shed load, halt a market, resume it) accept
//! Root or a call signed by the operators' account, so an emergency needs no extra `sudo` wrap.
//! If Root hands the sudo key to a new operators' multisig (`sudo.set_key`), both move together.

use frame_support::traits::{EitherOfDiverse, EnsureOrigin};
use frame_system::{EnsureRoot, RawOrigin};

use super::{AccountId, Runtime, RuntimeOrigin};

/// The account of an M-of-N multisig of `signatories` (any order) with `threshold` approvals.
///
/// This is the account `pallet_multisig::as_multi` dispatches from once `threshold` of the
/// signatories have approved a call.
pub fn operators_account(mut signatories: alloc::vec::Vec<AccountId>, threshold: u16) -> AccountId {
	signatories.sort();
	signatories.dedup();
	pallet_multisig::Pallet::<Runtime>::multi_account_id(&signatories, threshold)
}

/// The grid operators' account: the key of `pallet-sudo`, set in the chain spec.
pub fn grid_operators() -> Option<AccountId> {
	pallet_sudo::Key::<Runtime>::get()
}

/// Succeeds for a call signed by the grid operators' multisig account, yielding that account.
pub struct EnsureGridOperators;

impl EnsureOrigin<RuntimeOrigin> for EnsureGridOperators {
	type Success = AccountId;

	fn try_origin(o: RuntimeOrigin) -> Result<Self::Success, RuntimeOrigin> {
		match o.clone().into() {
			Ok(RawOrigin::Signed(who)) if grid_operators().as_ref() == Some(&who) => Ok(who),
			_ => Err(o),
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<RuntimeOrigin, ()> {
		grid_operators().map(RuntimeOrigin::signed).ok_or(())
	}
}

/// The origin of grid-emergency calls: Root, or the grid operators' multisig account.
pub type GridOperatorOrigin = EitherOfDiverse<EnsureRoot<AccountId>, EnsureGridOperators>;

/// Certifiers or the grid operators, telling which: a certifier's account (`Some`), so that
/// the pallet can refuse it acting on its own meters and facilities, or `None` for the
/// operators (Root or their multisig).
pub struct CertifierOrOperators;

impl EnsureOrigin<RuntimeOrigin> for CertifierOrOperators {
	type Success = Option<AccountId>;

	fn try_origin(o: RuntimeOrigin) -> Result<Self::Success, RuntimeOrigin> {
		GridOperatorOrigin::try_origin(o)
			.map(|_| None)
			.or_else(|o| pallet_production::EnsureCertifier::<Runtime>::try_origin(o).map(Some))
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<RuntimeOrigin, ()> {
		GridOperatorOrigin::try_successful_origin()
	}
}
