//! `daeg-meter-oracle --config oracle.toml`: reads the configured meters and serves their
//! readings to the node's offchain worker until stopped (Ctrl-C or SIGTERM).

use clap::Parser;
use daeg_meter_oracle::{
	config::Config,
	map::load_maps,
	meter::Meter,
	poller::{self, SharedQueue, SharedStatus},
	queue::Queue,
	server, Error,
};
use std::{
	net::SocketAddr,
	path::PathBuf,
	sync::{Arc, Mutex},
	time::Duration,
};

/// Reads smart meters over Modbus and hands their interval readings to a DAEG node.
#[derive(Parser)]
#[command(version)]
struct Cli {
	/// The configuration file (TOML; see `meter-oracle/oracle.example.toml`).
	#[arg(long)]
	config: PathBuf,
	/// Overrides the configuration's `state_dir`.
	#[arg(long)]
	state_dir: Option<PathBuf>,
	/// Overrides the configuration's `listen` address.
	#[arg(long)]
	listen: Option<SocketAddr>,
}

/// Log lines on stderr: time, level, message.
struct StderrLog;

impl log::Log for StderrLog {
	fn enabled(&self, metadata: &log::Metadata) -> bool {
		metadata.level() <= log::Level::Info
	}
	fn log(&self, record: &log::Record) {
		if self.enabled(record.metadata()) {
			let ms = poller::now_ms();
			eprintln!("{}.{:03} {:5} {}", ms / 1000, ms % 1000, record.level(), record.args());
		}
	}
	fn flush(&self) {}
}

async fn run(cli: Cli) -> Result<(), Error> {
	let text = std::fs::read_to_string(&cli.config)
		.map_err(|e| Error::Config(format!("{}: {e}", cli.config.display())))?;
	let mut config = Config::parse(&text)?;
	config.state_dir = cli.state_dir.unwrap_or(config.state_dir);
	config.listen = cli.listen.unwrap_or(config.listen);
	let maps = load_maps(config.maps_dir.as_deref())?;

	let mut meters = Vec::new();
	for m in &config.meter {
		let map = maps.get(&m.map).ok_or_else(|| {
			let known: Vec<&str> = maps.keys().map(String::as_str).collect();
			Error::Config(format!(
				"meter {}: no register map {} (known: {})",
				m.name,
				m.map,
				known.join(", ")
			))
		})?;
		meters.push(Meter::new(m.clone(), map.clone()));
	}

	let queue = Queue::open(&config.state_dir)?;
	log::info!("{} readings from a previous run wait for the chain", queue.len());
	let queue: SharedQueue = Arc::new(Mutex::new(queue));
	let status: SharedStatus = Arc::default();
	let listener = tokio::net::TcpListener::bind(config.listen)
		.await
		.map_err(|e| Error::Config(format!("listen on {}: {e}", config.listen)))?;
	log::info!(
		"serving {} meters on http://{} ({} s intervals, polls every {} ms)",
		meters.len(),
		config.listen,
		config.interval_secs,
		config.poll_ms
	);
	for meter in meters {
		tokio::spawn(poller::run(
			meter,
			queue.clone(),
			status.clone(),
			config.interval(),
			Duration::from_millis(config.poll_ms),
			config.time_scale,
		));
	}
	tokio::spawn(server::serve(listener, queue, status));

	// The queue is consistent on disk at every moment, so stopping needs no flush.
	let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
		.map_err(|e| Error::Config(format!("signal handler: {e}")))?;
	tokio::select! {
		_ = tokio::signal::ctrl_c() => {},
		_ = term.recv() => {},
	}
	log::info!("stopping");
	Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
	let _ = log::set_logger(&StderrLog).map(|()| log::set_max_level(log::LevelFilter::Info));
	match run(Cli::parse()).await {
		Ok(()) => std::process::ExitCode::SUCCESS,
		Err(e) => {
			log::error!("{e}");
			std::process::ExitCode::FAILURE
		}
	}
}
