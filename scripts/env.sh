# Sourced by the scripts: one cargo target directory outside the clone, shared by every
# checkout on this machine, so a warm machine rebuilds only what changed.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/daeg/target}"
export DAEG_NODE="${DAEG_NODE:-$CARGO_TARGET_DIR/debug/daeg-node}"
export DAEG_ORACLE="${DAEG_ORACLE:-$CARGO_TARGET_DIR/debug/daeg-meter-oracle}"
# Python for the Modbus meter simulator (pymodbus), in a virtual environment of its own.
export DAEG_VENV="${DAEG_VENV:-$HOME/.cache/daeg/venv}"
export DAEG_PYTHON="${DAEG_PYTHON:-$DAEG_VENV/bin/python}"
# The one feature set every build, lint and test uses: compiling the SDK twice with different
# features would double CI time. `runtime-benchmarks` makes the benchmark tests and the node's
# `benchmark pallet` command available.
export DAEG_FEATURES="${DAEG_FEATURES:-daeg-node/runtime-benchmarks}"
# The wasm runtime builder finds Cargo.lock from the target directory; with the target outside
# the clone it needs this hint, or it would resolve dependency versions anew.
export WASM_BUILD_WORKSPACE_HINT="${WASM_BUILD_WORKSPACE_HINT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
# No incremental compilation: CI and the demo build each checkout once, and incremental caches
# of the SDK-sized workspace grow by gigabytes per change (they once filled this machine's disk).
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
