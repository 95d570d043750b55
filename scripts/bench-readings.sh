#!/usr/bin/env bash
# Measures signed meter readings accepted per block and per second on a real dev node (the
# release build, as validators run it). Usage: scripts/bench-readings.sh [meters] (default
# 6000). The figures go to docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
daeg_cargo build --release -p daeg-node --features "$DAEG_FEATURES" --quiet
export DAEG_NODE="$CARGO_TARGET_DIR/release/daeg-node"
[ -d node_modules ] || npm ci --silent
exec node node/tests/integration/bench-readings.mjs "$@"
