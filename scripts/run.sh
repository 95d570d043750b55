#!/usr/bin/env bash
# The main command: sets up what is missing, builds the node and the meter oracle, and runs the
# demo energy community on a DAEG chain until Ctrl-C (scripts/demo/demo.mjs): the
# single-validator dev chain, or with --local the four-validator local network on loopback.
# Other options (--days, --households, --rate, --start, --dir) go to the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

for arg in "$@"; do
	case "$arg" in
		-h|--help) sed -n '2,5p' "$0"; exit 0 ;;
	esac
done

scripts/setup.sh
# The same build as the test command's, so one build serves both.
echo "[run] building the node (the first build takes a while)"
daeg_build --quiet
exec node scripts/demo/demo.mjs "$@"
