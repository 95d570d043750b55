//! The node's JSON-RPC methods beyond the standard `system_*`, `chain_*`, `state_*`, `author_*`
//! and `chainHead_*` ones that `sc-service` installs.
//!
//! The energy RPCs plug in here: each energy pallet's runtime API is declared in
//! `daeg-primitives`, and a jsonrpsee module in this directory answers it. So far:
//! consumption analytics and carbon footprints ([`metering`], `metering_*`), production
//! metrics ([`production`], `production_*`), the market ([`pricing`], `pricing_*`) and
//! balancing ([`balancing`], `balancing_*`).

pub mod balancing;
pub mod metering;
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
		+ daeg_primitives::analytics::MeteringApi<Block, AccountId>
		+ daeg_primitives::production::ProductionApi<Block>
		+ daeg_primitives::market::MarketApi<Block, AccountId>
		+ daeg_primitives::balancing::BalancingApi<Block, AccountId>,
	P: TransactionPool + 'static,
{
	use balancing::BalancingApiServer;
	use metering::MeteringApiServer;
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
	// `metering_*`: consumption analytics and carbon footprints.
	module.merge(metering::Metering::<C, Block>::new(client.clone()).into_rpc())?;
	// `production_*`: production metrics.
	module.merge(production::Production::<C, Block>::new(client.clone()).into_rpc())?;
	// `pricing_*`: prices, tariffs, order books, clearing results and statements.
	module.merge(pricing::Pricing::<C, Block>::new(client.clone()).into_rpc())?;
	// `balancing_*`: zones, storage, schedules, balance reports and demand response.
	module.merge(balancing::Balancing::<C, Block>::new(client).into_rpc())?;

	Ok(module)
}

/// The JSON-RPC error of a failed runtime call.
fn runtime_error(e: sp_api::ApiError) -> jsonrpsee::types::ErrorObjectOwned {
	jsonrpsee::types::ErrorObjectOwned::owned(1, "runtime call failed", Some(e.to_string()))
}
