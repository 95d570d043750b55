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
//!
//! The operators' multisig calls go first in the transaction pool ([`OperatorsFirst`]): an
//! emergency never waits behind blocks full of readings or trades.

use frame_support::{
	traits::{EitherOfDiverse, EnsureOrigin},
	weights::Weight,
};
use frame_system::{EnsureRoot, RawOrigin};
use sp_runtime::{
	traits::{
		AsSystemOriginSigner, DispatchInfoOf, DispatchOriginOf, TransactionExtension,
		ValidateResult,
	},
	transaction_validity::{TransactionPriority, TransactionSource, ValidTransaction},
};

use super::{AccountId, Runtime, RuntimeCall, RuntimeOrigin};

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

/// The transaction-pool priority of the grid operators' calls: above everything else, above
/// meter readings (`ReadingPriority`, half of it) and trades, so that an emergency never waits
/// behind a full block's worth of them.
pub const OPERATORS_PRIORITY: TransactionPriority = TransactionPriority::MAX;

/// Whether `signer` submitting `call` acts as one of the grid operators: a `pallet-multisig`
/// call (opening or approving an operation) of the operators' multisig account, which it can
/// be only if the signer and the other signatories it names are the operators at the
/// operators' threshold. Nobody else can dress a call up as theirs.
pub fn is_operators_call(signer: &AccountId, call: &RuntimeCall) -> bool {
	let (threshold, others) = match call {
		RuntimeCall::Multisig(pallet_multisig::Call::as_multi {
			threshold,
			other_signatories,
			..
		})
		| RuntimeCall::Multisig(pallet_multisig::Call::approve_as_multi {
			threshold,
			other_signatories,
			..
		}) => (*threshold, other_signatories),
		_ => return false,
	};
	let Some(operators) = grid_operators() else { return false };
	let mut signatories = others.clone();
	signatories.push(signer.clone());
	operators_account(signatories, threshold) == operators
}

/// A transaction extension that puts the grid operators' calls ([`is_operators_call`]) first
/// in the transaction pool ([`OPERATORS_PRIORITY`]); every other transaction it leaves as it
/// is. It carries no data, so wallets sign transactions as before.
#[derive(
	Clone,
	Debug,
	Default,
	PartialEq,
	Eq,
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	scale_info::TypeInfo,
)]
pub struct OperatorsFirst;

impl TransactionExtension<RuntimeCall> for OperatorsFirst {
	const IDENTIFIER: &'static str = "OperatorsFirst";
	type Implicit = ();
	type Val = ();
	type Pre = ();

	fn weight(&self, _call: &RuntimeCall) -> Weight {
		// The sudo key, read to recognize the operators (in the pool only).
		<Runtime as frame_system::Config>::DbWeight::get().reads(1)
	}

	fn validate(
		&self,
		origin: DispatchOriginOf<RuntimeCall>,
		call: &RuntimeCall,
		_info: &DispatchInfoOf<RuntimeCall>,
		_len: usize,
		_self_implicit: (),
		_inherited_implication: &impl codec::Encode,
		_source: TransactionSource,
	) -> ValidateResult<(), RuntimeCall> {
		let operators =
			origin.as_system_origin_signer().is_some_and(|s| is_operators_call(s, call));
		let priority = if operators { OPERATORS_PRIORITY } else { 0 };
		Ok((ValidTransaction { priority, ..Default::default() }, (), origin))
	}

	sp_runtime::impl_tx_ext_default!(RuntimeCall; prepare);
}
