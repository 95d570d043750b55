//! The node's JSON-RPC methods beyond the standard `system_*`, `chain_*`, `state_*`, `author_*`
//! and `chainHead_*` ones that `sc-service` installs.
//!
//! The energy RPCs (production metrics, consumption analytics, prices, order books, statements)
//! plug in here: each energy pallet ships a runtime API in `daeg-primitives` and a jsonrpsee
//! module, and `create_full` merges that module like the two below.

use std::sync::Arc;

use daeg_runtime::{opaque::Block, AccountId, Balance, Nonce};
use jsonrpsee::RpcModule;
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};

/// What the RPC methods need from the node.
pub struct FullDeps<C, P> {
	/// The client, to call runtime APIs.
	pub client: Arc<C>,
	/// The transaction pool.
	pub pool: Arc<P>,
}

/// All the node's own RPC methods.
pub fn create_full<C, P>(
	deps: FullDeps<C, P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ Send
		+ Sync
		+ 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>
		+ pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>
		+ BlockBuilder<Block>,
	P: TransactionPool + 'static,
{
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool } = deps;

	// `system_accountNextIndex` and `system_dryRun`.
	module.merge(System::new(client.clone(), pool).into_rpc())?;
	// `payment_queryInfo` and `payment_queryFeeDetails`.
	module.merge(TransactionPayment::new(client).into_rpc())?;

	// Energy RPC modules are merged here as the energy pallets land.

	Ok(module)
}
