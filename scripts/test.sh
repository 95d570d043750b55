#!/usr/bin/env bash
# The test command: sets up what is missing, then runs every check CI runs, in order:
#   formatting, the build with clippy's lints (warnings are errors), the Rust tests (unit, runtime, benchmark and node
#   CLI tests), and the integration tests of the real node with a real polkadot.js client
#   (dev chain, four-validator local network).
# Ends with one summary line: "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

results=$(mktemp)
trap 'rm -f "$results"' EXIT
failed_stage=""

stage() {
	local name=$1
	shift
	echo
	echo "==== $name"
	local start=$SECONDS
	if "$@"; then
		echo "==== $name: ok ($((SECONDS - start)) s)"
	else
		echo "==== $name: FAILED ($((SECONDS - start)) s)"
		failed_stage+="$name "
	fi
}

# Runs a test command, showing its output, and appends "LABEL PASSED FAILED" to the results as
# counted from that output by the awk program COUNT (which prints "PASSED FAILED").
counted() {
	local label=$1 count=$2
	shift 2
	local log
	log=$(mktemp)
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	echo "$label $(awk "$count" "$log")" >>"$results"
	rm -f "$log"
	return "$rc"
}

# cargo's own summaries, one per test binary.
CARGO_COUNT='/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed/) p += $(i-1); if ($(i) ~ /^failed/) f += $(i-1) } }
	END { print p + 0, f + 0 }'
# node's test runner summary.
NODE_COUNT='/^# pass / { p += $3 } /^# fail / { f += $3 } END { print p + 0, f + 0 }'

integration_tests() {
	DAEG_NODE="$DAEG_NODE" npm test --silent
}

stage setup scripts/setup.sh
[ -z "$failed_stage" ] || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
stage fmt cargo fmt --all --check
# Clippy lints the workspace while the build compiles it (scripts/env.sh): warnings are errors.
stage clippy+build daeg_build
stage cargo-test counted cargo "$CARGO_COUNT" daeg_cargo test --workspace --features "$DAEG_FEATURES"
if [ -x "$DAEG_NODE" ]; then
	stage integration counted node "$NODE_COUNT" integration_tests
else
	echo "no node binary at $DAEG_NODE: integration tests not run"
	failed_stage+="integration "
fi

passed=$(awk '{ p += $2 } END { print p + 0 }' "$results")
failed=$(awk '{ f += $3 } END { print f + 0 }' "$results")
echo
if [ -n "$failed_stage" ]; then
	echo "failed stages: $failed_stage"
	# A stage that failed without a failing test (fmt, clippy, a build error) still fails the run.
	[ "$failed" -gt 0 ] || failed=1
fi
echo "$passed passed, $failed failed"
[ -z "$failed_stage" ]
