#!/usr/bin/env bash
# Research simulation: sets up what is missing, builds the node, runs the community through the
# real runtime for --days days (`daeg-node simulate`, no networking) and draws the plots.
#   scripts/simulate.sh [--release] [--days N] [--households N] [--start YYYY-MM-DD]
#                       [--interval-minutes M] [--out DIR]      (default: .daeg/simulation)
# Writes DIR/intervals.csv, bills.csv, summary.json and the PNG plots (docs/simulation.md).
# --release runs the optimized build (a year of 1,000 households in about 10 minutes; its first
# build takes about 20 minutes), else the test command's debug build (fine for weeks of 100).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

out=.daeg/simulation
release=false
args=()
while (($#)); do
	case "$1" in
		-h|--help) sed -n '2,8p' "$0"; exit 0 ;;
		--out) out=$2; shift 2 ;;
		--release) release=true; shift ;;
		*) args+=("$1"); shift ;;
	esac
done

scripts/setup.sh
echo "[simulate] building the node (the first build takes a while)"
if $release; then
	daeg_cargo build --release -p daeg-node --features "$DAEG_FEATURES" --quiet
	node_bin="$CARGO_TARGET_DIR/release/daeg-node"
else
	# The same build as the test command's, so one build serves both.
	daeg_build --quiet
	node_bin="$DAEG_NODE"
fi
"$node_bin" simulate --out "$out" "${args[@]}"
"$DAEG_PYTHON" scripts/plot_simulation.py "$out"
echo "[simulate] results in $out"
