#!/usr/bin/env bash
# Regenerates `weights.rs` of the DAEG pallets from their benchmarks, run by the node's
# `benchmark pallet` command on the dev runtime. Usage:
#   scripts/benchmark.sh                 every DAEG pallet with benchmarks
#   scripts/benchmark.sh consumption     one pallet (directory name under pallets/)
# Weights are only as good as the machine and the build: run it on hardware like the validators'
# with the release build (the default; the first release build takes about 30 minutes on 2 cores).
# DAEG_BENCH_PROFILE=debug reuses the test build instead: quick, but the node's host functions
# (hashing, trie, database) then run unoptimized and every weight comes out about 25x too high.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
profile="${DAEG_BENCH_PROFILE:-release}"

pallets=("$@")
if [ ${#pallets[@]} -eq 0 ]; then
	# Only pallets with benchmarks (a pallet without calls has no weights to generate).
	for d in pallets/*/; do
		[ -f "$d/src/benchmarking.rs" ] && pallets+=("$(basename "$d")")
	done
fi

if [ "$profile" = debug ]; then
	daeg_build --quiet
	node_bin="$DAEG_NODE"
else
	daeg_cargo build --profile "$profile" -p daeg-node --features "$DAEG_FEATURES" --quiet
	node_bin="$CARGO_TARGET_DIR/$profile/daeg-node"
fi
for p in "${pallets[@]}"; do
	echo "[benchmark] pallet_$p ($profile build)"
	"$node_bin" benchmark pallet \
		--chain dev \
		--pallet "pallet_$p" \
		--extrinsic '*' \
		--steps 20 \
		--repeat 10 \
		--wasm-execution compiled \
		--heap-pages 4096 \
		--template scripts/frame-weight-template.hbs \
		--header scripts/weights-header.txt \
		--output "pallets/$p/src/weights.rs"
done
