//! Governance on the real runtime (not a mock), from the `development` genesis preset:
//! no single grid operator holds Root; the 2-of-3 operators' multisig does.

mod common;

use codec::Encode;
use common::dev_chain;
use daeg_runtime::{
	genesis_config_presets::{dev_operators, dev_operators_account, ENDOWMENT},
	governance::{operators_account, GridOperatorOrigin},
	AccountId, Balances, BalancesCall, Multisig, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin,
	System,
};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::GetDispatchInfo,
	traits::{EnsureOrigin, UnfilteredDispatchable},
};
use serde_json::Value;
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Ferdie};
use sp_runtime::{traits::Dispatchable, DispatchError};

/// A Root-only call with an effect we can observe: set Ferdie's balance.
fn root_call(new_free: u128) -> RuntimeCall {
	RuntimeCall::Balances(BalancesCall::force_set_balance {
		who: Ferdie.to_account_id().into(),
		new_free,
	})
}

fn sudo(call: RuntimeCall) -> RuntimeCall {
	RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(call) })
}

/// The other signatories of `me`, sorted as `pallet-multisig` requires.
fn others(me: &AccountId) -> Vec<AccountId> {
	let mut v: Vec<AccountId> = dev_operators().into_iter().filter(|a| a != me).collect();
	v.sort();
	v
}

#[test]
fn genesis_makes_the_operators_multisig_the_sudo_key() {
	dev_chain().execute_with(|| {
		let expected = operators_account(
			vec![Charlie.to_account_id(), Alice.to_account_id(), Bob.to_account_id()],
			2,
		);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(expected.clone()));
		assert_eq!(dev_operators_account(), expected);
		// No operator's own key is the sudo key.
		for op in dev_operators() {
			assert_ne!(pallet_sudo::Key::<Runtime>::get(), Some(op));
		}
		assert_eq!(Balances::free_balance(expected), ENDOWMENT);
	});
}

#[test]
fn one_operator_alone_cannot_use_root() {
	dev_chain().execute_with(|| {
		let before = Balances::free_balance(Ferdie.to_account_id());
		// Directly: a Root-only call is a bad origin.
		assert_noop!(
			root_call(7).dispatch(RuntimeOrigin::signed(Alice.to_account_id())),
			DispatchError::BadOrigin
		);
		// Through sudo: Alice is not the sudo key.
		assert_noop!(
			sudo(root_call(7)).dispatch(RuntimeOrigin::signed(Alice.to_account_id())),
			pallet_sudo::Error::<Runtime>::RequireSudo
		);
		// A 1-of-N "multisig" is refused by pallet-multisig itself.
		assert_noop!(
			Multisig::as_multi(
				RuntimeOrigin::signed(Alice.to_account_id()),
				1,
				others(&Alice.to_account_id()),
				None,
				Box::new(sudo(root_call(7))),
				sp_runtime::Weight::MAX,
			),
			pallet_multisig::Error::<Runtime>::MinimumThreshold
		);
		assert_eq!(Balances::free_balance(Ferdie.to_account_id()), before);
	});
}

#[test]
fn two_of_three_operators_dispatch_a_root_call() {
	dev_chain().execute_with(|| {
		let call = sudo(root_call(42 * daeg_runtime::UNIT));
		let weight = call.get_dispatch_info().call_weight;

		// Alice opens the multisig operation: nothing happens yet.
		assert_ok!(Multisig::as_multi(
			RuntimeOrigin::signed(Alice.to_account_id()),
			2,
			others(&Alice.to_account_id()),
			None,
			Box::new(call.clone()),
			weight,
		));
		assert_eq!(Balances::free_balance(Ferdie.to_account_id()), ENDOWMENT);
		let timepoint = Multisig::timepoint();

		// Bob approves with the same call: the operators' account calls sudo, which calls Root.
		assert_ok!(Multisig::as_multi(
			RuntimeOrigin::signed(Bob.to_account_id()),
			2,
			others(&Bob.to_account_id()),
			Some(timepoint),
			Box::new(call.clone()),
			weight,
		));
		assert_eq!(Balances::free_balance(Ferdie.to_account_id()), 42 * daeg_runtime::UNIT);

		let sudid = System::events().into_iter().any(|r| {
			matches!(r.event, RuntimeEvent::Sudo(pallet_sudo::Event::Sudid { sudo_result: Ok(()) }))
		});
		assert!(sudid, "the approved call went through sudo as Root");
		let executed = System::events().into_iter().any(|r| {
			matches!(
				r.event,
				RuntimeEvent::Multisig(pallet_multisig::Event::MultisigExecuted {
					ref multisig, result: Ok(()), ..
				}) if *multisig == dev_operators_account()
			)
		});
		assert!(executed, "the multisig executed from the operators' account");
		// Sanity: the encoded call is what both approved.
		assert_eq!(call.encode(), sudo(root_call(42 * daeg_runtime::UNIT)).encode());
	});
}

#[test]
fn grid_emergency_origin_is_the_multisig_or_root() {
	dev_chain().execute_with(|| {
		for op in dev_operators() {
			assert!(GridOperatorOrigin::try_origin(RuntimeOrigin::signed(op)).is_err());
		}
		assert!(
			GridOperatorOrigin::try_origin(RuntimeOrigin::signed(dev_operators_account())).is_ok()
		);
		assert!(GridOperatorOrigin::try_origin(RuntimeOrigin::root()).is_ok());
		assert!(GridOperatorOrigin::try_origin(RuntimeOrigin::none()).is_err());

		// Root can hand governance to a new operators' multisig; the emergency origin follows.
		let new_ops = operators_account(vec![Bob.to_account_id(), Ferdie.to_account_id()], 2);
		assert_ok!(pallet_sudo::Call::<Runtime>::set_key { new: new_ops.clone().into() }
			.dispatch_bypass_filter(RuntimeOrigin::signed(dev_operators_account())));
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(new_ops.clone()));
		assert!(
			GridOperatorOrigin::try_origin(RuntimeOrigin::signed(dev_operators_account())).is_err()
		);
		assert!(GridOperatorOrigin::try_origin(RuntimeOrigin::signed(new_ops)).is_ok());
	});
}

/// `first` opens a 2-of-3 operators' multisig operation for `call` and `second` approves it,
/// which executes it from the operators' account.
fn by_two_operators(call: RuntimeCall, first: AccountId, second: AccountId) {
	let weight = call.get_dispatch_info().call_weight;
	assert_ok!(Multisig::as_multi(
		RuntimeOrigin::signed(first.clone()),
		2,
		others(&first),
		None,
		Box::new(call.clone()),
		weight,
	));
	let timepoint = Multisig::timepoint();
	assert_ok!(Multisig::as_multi(
		RuntimeOrigin::signed(second.clone()),
		2,
		others(&second),
		Some(timepoint),
		Box::new(call),
		weight,
	));
}

#[test]
fn one_operator_cannot_declare_an_emergency_or_resume_a_market_the_multisig_can() {
	use daeg_primitives::ZoneId;
	use daeg_runtime::Balancing;
	use pallet_balancing::Status;
	dev_chain().execute_with(|| {
		let zone = ZoneId(1);
		let declare = RuntimeCall::Balancing(pallet_balancing::Call::declare_emergency { zone });
		let halt = RuntimeCall::Balancing(pallet_balancing::Call::halt_market { zone });
		let resume = RuntimeCall::Balancing(pallet_balancing::Call::resume_market { zone });

		// Alone, an operator is refused, and opening a multisig operation changes nothing.
		assert_noop!(
			Balancing::declare_emergency(RuntimeOrigin::signed(Alice.to_account_id()), zone),
			DispatchError::BadOrigin
		);
		assert_ok!(Multisig::as_multi(
			RuntimeOrigin::signed(Alice.to_account_id()),
			2,
			others(&Alice.to_account_id()),
			None,
			Box::new(declare.clone()),
			declare.get_dispatch_info().call_weight,
		));
		assert!(!Status::<Runtime>::get(zone).emergency);
		// A second operator's approval declares it.
		let timepoint = Multisig::timepoint();
		assert_ok!(Multisig::as_multi(
			RuntimeOrigin::signed(Charlie.to_account_id()),
			2,
			others(&Charlie.to_account_id()),
			Some(timepoint),
			Box::new(declare.clone()),
			declare.get_dispatch_info().call_weight,
		));
		assert!(Status::<Runtime>::get(zone).emergency);
		System::assert_has_event(pallet_balancing::Event::EmergencyDeclared { zone }.into());

		// Halted by the multisig, the market cannot be resumed by one operator.
		System::set_block_number(2);
		by_two_operators(halt, Alice.to_account_id(), Bob.to_account_id());
		assert!(Status::<Runtime>::get(zone).halted.is_some());
		for op in dev_operators() {
			assert_noop!(
				resume.clone().dispatch(RuntimeOrigin::signed(op)),
				DispatchError::BadOrigin
			);
		}
		System::set_block_number(3);
		by_two_operators(resume, Bob.to_account_id(), Charlie.to_account_id());
		assert_eq!(Status::<Runtime>::get(zone).halted, None);
		System::assert_has_event(pallet_balancing::Event::MarketResumed { zone }.into());
	});
}

#[test]
fn presets_have_the_expected_validators() {
	use daeg_runtime::genesis_config_presets::{development_config_genesis, local_config_genesis};
	let count = |v: Value| v["aura"]["authorities"].as_array().map(|a| a.len());
	assert_eq!(count(development_config_genesis()), Some(1));
	assert_eq!(count(local_config_genesis()), Some(4));
	let names = daeg_runtime::genesis_config_presets::preset_names();
	assert_eq!(names.len(), 2);
}

/// `call` signed by `signer` (nonce 0, immortal, no tip) as a wallet would sign it.
fn signed_extrinsic(
	signer: sp_keyring::Sr25519Keyring,
	call: RuntimeCall,
) -> daeg_runtime::UncheckedExtrinsic {
	let extension: daeg_runtime::TxExtension = (
		frame_system::AuthorizeCall::<Runtime>::new(),
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(sp_runtime::generic::Era::Immortal),
		frame_system::CheckNonce::<Runtime>::from(0),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
		daeg_runtime::governance::OperatorsFirst,
		frame_system::WeightReclaim::<Runtime>::new(),
	);
	let payload = daeg_runtime::SignedPayload::new(call.clone(), extension.clone())
		.expect("the implicit data is known");
	let signature = payload.using_encoded(|bytes| signer.sign(bytes));
	daeg_runtime::UncheckedExtrinsic::new_signed(
		call,
		sp_runtime::MultiAddress::Id(signer.to_account_id()),
		signature.into(),
		extension,
	)
}

#[test]
fn the_operators_calls_go_first_in_the_pool_and_nobody_else_s_can_pose_as_theirs() {
	use daeg_runtime::{configs::ReadingPriority, governance::OPERATORS_PRIORITY, Executive};
	use sp_runtime::transaction_validity::TransactionSource;
	dev_chain().execute_with(|| {
		let declare = RuntimeCall::Balancing(pallet_balancing::Call::declare_emergency {
			zone: daeg_primitives::ZoneId(0),
		});
		let as_multi = |threshold, others| {
			RuntimeCall::Multisig(pallet_multisig::Call::as_multi {
				threshold,
				other_signatories: others,
				maybe_timepoint: None,
				call: Box::new(declare.clone()),
				max_weight: declare.get_dispatch_info().call_weight,
			})
		};
		let priority = |xt| {
			let parent = System::block_hash(0);
			Executive::validate_transaction(TransactionSource::External, xt, parent)
				.expect("valid")
				.priority
		};
		// An operator opening the emergency: first, ahead of meter readings.
		let operator =
			priority(signed_extrinsic(Alice, as_multi(2, others(&Alice.to_account_id()))));
		assert_eq!(operator, OPERATORS_PRIORITY);
		assert!(operator > ReadingPriority::get());
		// Ferdie's own 2-of-2 "multisig" with Eve carries the same call: no priority.
		let mut fake = vec![sp_keyring::Sr25519Keyring::Eve.to_account_id()];
		fake.sort();
		let ferdie = priority(signed_extrinsic(Ferdie, as_multi(2, fake)));
		assert!(ferdie < ReadingPriority::get());
		// So does an ordinary trade.
		let transfer = RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
			dest: Ferdie.to_account_id().into(),
			value: daeg_runtime::UNIT,
		});
		assert!(priority(signed_extrinsic(Bob, transfer)) < ReadingPriority::get());
	});
}
