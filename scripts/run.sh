#!/usr/bin/env bash
# The main command: sets up what is missing, builds the node, and runs a DAEG chain until
# Ctrl-C. `scripts/run.sh` runs the single-validator dev chain; `scripts/run.sh --local` runs the
# four-validator local network on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

mode=dev
for arg in "$@"; do
	case "$arg" in
		--local) mode=local ;;
		--dev) mode=dev ;;
		-h|--help) sed -n '2,4p' "$0"; exit 0 ;;
		*) echo "unknown option: $arg (use --dev or --local)" >&2; exit 2 ;;
	esac
done

scripts/setup.sh
# The same build as the test command's, so one build serves both.
echo "[run] building the node (the first build takes a while)"
cargo test --workspace --features "$DAEG_FEATURES" --no-run --quiet
exec node scripts/chain.mjs "$mode"
