#!/usr/bin/env bash
# The main command: sets up what is missing, builds the node and the meter oracle, and runs the
# demo energy community on a DAEG chain until Ctrl-C (scripts/demo/demo.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
	cat <<'EOF'
scripts/run.sh [--local] [--scenario FILE] [--households N] [--days N] [--rate R]
               [--start YYYY-MM-DD] [--dir DIR] [--dashboard-port P] [--rpc-port P]
Runs the demo energy community (scenarios/community.toml, or --scenario FILE) on the
single-validator dev chain, or with --local on the four-validator local network on loopback,
until Ctrl-C (or for --days simulated days), with its Modbus meters, meter oracle and
dashboard. Every option but --help goes to the demo (docs/demo.md).
EOF
}
for arg in "$@"; do
	case "$arg" in
		-h|--help) usage; exit 0 ;;
	esac
done
source scripts/env.sh

scripts/setup.sh
# The same build as the test command's, so one build serves both.
echo "[run] building the node (the first build takes a while)"
daeg_build --quiet
exec node scripts/demo/demo.mjs "$@"
