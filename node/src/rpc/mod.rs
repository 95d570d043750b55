//! The node's JSON-RPC methods beyond the standard `system_*`, `chain_*`, `state_*`, `author_*`
//! and `chainHead_*` ones that `sc-service` installs.
//!
//! The energy RPCs plug in here: each energy pallet's runtime API is declared in
//! `daeg-primitives`, and a jsonrpsee module in this directory answers it. So far:
//! consumption analytics and carbon footprints ([`consumption`], `consumption_*`), production
//! metrics ([`production`], `production_*`), the market ([`pricing`], `pricing_*`) and
//! balancing ([`balancing`], `balancing_*`).

pub mod balancing;
pub mod consumption;
pub mod pricing;
pub mod production;

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
		+ BlockBuilder<Block>
		+ daeg_primitives::consumption::ConsumptionApi<Block, AccountId>
		+ daeg_primitives::production::ProductionApi<Block>
		+ daeg_primitives::pricing::PricingApi<Block, AccountId>
		+ daeg_primitives::balancing::BalancingApi<Block, AccountId>,
	P: TransactionPool + 'static,
{
	use balancing::BalancingApiServer;
	use consumption::ConsumptionApiServer;
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use pricing::PricingApiServer;
	use production::ProductionApiServer;
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool } = deps;

	// `system_accountNextIndex` and `system_dryRun`.
	module.merge(System::new(client.clone(), pool).into_rpc())?;
	// `payment_queryInfo` and `payment_queryFeeDetails`.
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	let energy = || EnergyRpc::<C, Block>::new(client.clone());
	// `consumption_*`: consumption analytics and carbon footprints.
	module.merge(ConsumptionApiServer::into_rpc(energy()))?;
	// `production_*`: production metrics.
	module.merge(ProductionApiServer::into_rpc(energy()))?;
	// `pricing_*`: prices, tariffs, order books, clearing results and statements.
	module.merge(PricingApiServer::into_rpc(energy()))?;
	// `balancing_*`: zones, storage, schedules, balance reports and demand response.
	module.merge(BalancingApiServer::into_rpc(energy()))?;

	Ok(module)
}

/// The energy methods over a client: each module of this directory implements its
/// `*ApiServer` trait for it, answering from the runtime API of the same name.
pub struct EnergyRpc<C, B> {
	client: Arc<C>,
	_block: std::marker::PhantomData<B>,
}

impl<C, B> EnergyRpc<C, B>
where
	B: sp_runtime::traits::Block,
	C: ProvideRuntimeApi<B> + HeaderBackend<B>,
{
	/// Methods answered by `client`'s runtime.
	pub fn new(client: Arc<C>) -> Self {
		Self { client, _block: Default::default() }
	}

	/// `f` on the runtime API at block `at` (the best block when `None`); a failed runtime
	/// call becomes a JSON-RPC error.
	fn call<R>(
		&self,
		at: Option<B::Hash>,
		f: impl FnOnce(sp_api::ApiRef<'_, C::Api>, B::Hash) -> Result<R, sp_api::ApiError>,
	) -> jsonrpsee::core::RpcResult<R> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		f(self.client.runtime_api(), at).map_err(|e| {
			jsonrpsee::types::ErrorObjectOwned::owned(1, "runtime call failed", Some(e.to_string()))
		})
	}
}
