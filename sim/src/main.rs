//! `daeg-sim`: DAEG's demo energy community and its research simulation, apart from the
//! validator.
//!
//! - `daeg-sim community describe|plan|dispatch`: the community of a scenario file as JSON,
//!   each meter's forecast and actual power per interval with the members' orders and the
//!   weather forecast, and what dispatchable meters measure (read by `scripts/demo`);
//! - `daeg-sim run`: the community for a number of days through the real runtime, natively
//!   and without networking (`scripts/simulate.sh` adds the plots).

mod community;
mod simulate;

use std::process::ExitCode;

/// jemalloc, as the node uses: the runtime allocates and frees many small buffers.
#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// `daeg-sim`'s command line.
#[derive(Debug, clap::Parser)]
#[command(version, about)]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

/// What `daeg-sim` does.
#[derive(Debug, clap::Subcommand)]
enum Command {
	/// The energy community of a scenario: `describe` prints its grid and members as JSON,
	/// `plan` each meter's forecast and actual power and the orders per interval, `dispatch`
	/// what the dispatchable meters measure (read by `scripts/demo`).
	#[command(subcommand)]
	Community(CommunityCmd),

	/// Research simulation: runs the community for a number of days through the real runtime
	/// (natively, without networking) and writes per-interval results as CSV, the members'
	/// bills and a summary into `--out` (`scripts/simulate.sh` adds the plots).
	Run(RunCmd),
}

/// Which community: a scenario file and a number of households.
#[derive(Debug, clap::Args)]
pub struct CommunityArgs {
	/// The scenario file (`scenarios/community.toml`, the demo's, when omitted).
	#[arg(long)]
	pub scenario: Option<std::path::PathBuf>,
	/// How many households (the scenario's `households` when omitted).
	#[arg(long)]
	pub households: Option<u32>,
}

impl CommunityArgs {
	/// The community these arguments name.
	pub fn community(&self) -> Result<community::Community, String> {
		let scenario = community::scenario::Scenario::load(self.scenario.as_deref())?;
		scenario.community(self.households.unwrap_or(scenario.households))
	}
}

/// `daeg-sim run`'s options.
#[derive(Debug, clap::Args)]
pub struct RunCmd {
	#[command(flatten)]
	pub community: CommunityArgs,
	/// How many days.
	#[arg(long, default_value_t = 30)]
	pub days: u32,
	/// The first day (UTC), YYYY-MM-DD; the profiles' year wraps around.
	#[arg(long, default_value = "2025-06-01")]
	pub start: String,
	/// The interval length, minutes.
	#[arg(long, default_value_t = 60)]
	pub interval_minutes: u64,
	/// Where the results go (created if missing).
	#[arg(long)]
	pub out: std::path::PathBuf,
	/// No progress bar.
	#[arg(long)]
	pub quiet: bool,
}

/// The community subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum CommunityCmd {
	/// The community's grid settings, zones, links and members with their meters, plants,
	/// storage and flexible load.
	Describe {
		#[command(flatten)]
		community: CommunityArgs,
	},
	/// Each meter's forecast and actual power (W, import positive), the weather forecast and
	/// the members' orders, for `count` intervals of grid time from `from_ms`.
	Plan {
		#[command(flatten)]
		community: CommunityArgs,
		/// Grid time of the first interval's start, ms since the Unix epoch.
		#[arg(long)]
		from_ms: u64,
		/// The interval length, ms.
		#[arg(long)]
		interval_ms: u64,
		/// How many intervals.
		#[arg(long, default_value_t = 1)]
		count: u32,
	},
	/// What the dispatchable meters measure over a cleared interval: reads `{"scheduled":
	/// {"member/meter": action}, "sold": {"member/meter": Wh}}` (balancing's schedule of the
	/// storage units, what the plants' asks sold) on stdin, writes `{"member/meter": W}`.
	Dispatch {
		#[command(flatten)]
		community: CommunityArgs,
		/// The interval length, ms.
		#[arg(long)]
		interval_ms: u64,
	},
}

fn main() -> ExitCode {
	let cli = <Cli as clap::Parser>::parse();
	let result = match &cli.command {
		Command::Community(cmd) => community::cli::run(cmd),
		Command::Run(cmd) => simulate::run(cmd),
	};
	match result {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			eprintln!("Error: {e}");
			ExitCode::FAILURE
		}
	}
}
