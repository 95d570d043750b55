#!/usr/bin/env bash
# Research simulation: sets up what is missing, builds the node, runs the community through the
# real runtime for --days days (`daeg-node simulate`, no networking) and draws the plots.
#   scripts/simulate.sh [--days N] [--households N] [--start YYYY-MM-DD] [--interval-minutes M]
#                       [--out DIR]      (default: .daeg/simulation)
# Writes DIR/intervals.csv, bills.csv, summary.json and the PNG plots (docs/simulation.md).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

out=.daeg/simulation
args=()
while (($#)); do
	case "$1" in
		-h|--help) sed -n '2,6p' "$0"; exit 0 ;;
		--out) out=$2; shift 2 ;;
		*) args+=("$1"); shift ;;
	esac
done

scripts/setup.sh
# The same build as the test command's, so one build serves both.
echo "[simulate] building the node (the first build takes a while)"
daeg_build --quiet
"$DAEG_NODE" simulate --out "$out" "${args[@]}"
"$DAEG_PYTHON" scripts/plot_simulation.py "$out"
echo "[simulate] results in $out"
