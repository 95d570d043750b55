#!/usr/bin/env bash
# Research simulation: sets up what is missing, builds the simulator, runs a community through
# the real runtime (`daeg-sim run`, no networking) and draws the plots.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

usage() {
	cat <<'EOF'
scripts/simulate.sh [--release] [--scenario FILE] [--households N] [--days N]
                    [--start YYYY-MM-DD] [--interval-minutes M] [--out DIR]
Runs the community of FILE (scenarios/community.toml by default) for --days days and writes
DIR/intervals.csv, bills.csv, summary.json and the PNG plots (DIR: .daeg/simulation;
docs/simulation.md). --release runs the optimized build (a year of 1,000 households in about
10 minutes; its first build takes about 20 minutes), else the test command's debug build (fine
for weeks of 100).
EOF
}

out=.daeg/simulation
release=false
args=()
while (($#)); do
	case "$1" in
		-h|--help) usage; exit 0 ;;
		--out) out=$2; shift 2 ;;
		--release) release=true; shift ;;
		*) args+=("$1"); shift ;;
	esac
done

scripts/setup.sh
echo "[simulate] building the simulator (the first build takes a while)"
if $release; then
	# With the node, so that the SDK is built once with the features every build uses.
	daeg_cargo build --release -p daeg-node -p daeg-sim --features "$DAEG_FEATURES" --quiet
	sim_bin="$CARGO_TARGET_DIR/release/daeg-sim"
else
	# The same build as the test command's, so one build serves both.
	daeg_build --quiet
	sim_bin="$DAEG_SIM"
fi
"$sim_bin" run --out "$out" "${args[@]}"
"$DAEG_PYTHON" scripts/plot_simulation.py "$out"
echo "[simulate] results in $out"
