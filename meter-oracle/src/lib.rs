//! DAEG's meter oracle: reads smart meters over Modbus TCP and RTU, forms each market
//! interval's cumulative registers, and keeps them in a durable queue on disk until the chain
//! holds them. The node's offchain worker fetches the queue over local HTTP, signs each reading
//! with the meter's key from the node's keystore, submits it, and reports back what the chain
//! holds so that the oracle can forget it (see `docs/consumption.md` for why this hand-off).

pub mod config;
pub mod map;
pub mod meter;
pub mod poller;
pub mod queue;
pub mod server;

/// What can go wrong with a meter or the oracle's own state. Every meter error is logged with
/// the meter's name and the oracle goes on serving the other meters.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
	/// The configuration or a register map is invalid.
	#[error("configuration: {0}")]
	Config(String),
	/// The meter did not answer (connection refused or lost, timeout).
	#[error("meter does not answer: {0}")]
	NoAnswer(String),
	/// The meter answered with a Modbus exception.
	#[error("Modbus exception: {0}")]
	Exception(String),
	/// The register map does not fit the meter (identifying register, missing registers).
	#[error("wrong register map: {0}")]
	WrongMap(String),
	/// The meter marks a value as not available.
	#[error("value not available: {0}")]
	NotAvailable(String),
	/// The values fail the sanity checks (not a number, negative, a register going down).
	#[error("reading fails sanity checks: {0}")]
	Insane(String),
	/// The durable queue could not be read or written.
	#[error("queue: {0}")]
	Queue(String),
}
