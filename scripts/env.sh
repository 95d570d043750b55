# Sourced by the scripts: one cargo target directory outside the clone, shared by every
# checkout on this machine, so a warm machine rebuilds only what changed.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/daeg/target}"
export DAEG_NODE="${DAEG_NODE:-$CARGO_TARGET_DIR/debug/daeg-node}"
export DAEG_ORACLE="${DAEG_ORACLE:-$CARGO_TARGET_DIR/debug/daeg-meter-oracle}"
# The demo community and the research simulation (`daeg-sim`), apart from the validator.
export DAEG_SIM="${DAEG_SIM:-$CARGO_TARGET_DIR/debug/daeg-sim}"
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
# frame-benchmarking-cli builds a wasm test runtime of its own for `benchmark storage`, which
# DAEG does not run (its database weights are the SDK's ParityDB constants): skipping it saves a
# second wasm build on a new machine. `benchmark pallet`, which generates the weights, needs only
# DAEG's runtime.
export SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD="${SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD-1}"
# Clippy runs inside the build, not beside it: cargo hands the workspace's own crates to
# clippy-driver (RUSTC_WORKSPACE_WRAPPER, as `cargo clippy` itself does), which lints them and
# then compiles them as rustc would; dependencies go to rustc as usual. `cargo clippy` would
# compile all ~1,000 dependencies a second time in check mode: about 14 minutes on a new
# 2-core machine. Every cargo command of the scripts goes through `daeg_cargo`, so that one
# build serves them all (another wrapper or other lint flags would rebuild the workspace).
daeg_cargo() {
	RUSTC_WORKSPACE_WRAPPER="$(rustup which clippy-driver)" \
		CLIPPY_ARGS='-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__' cargo "$@"
}
# The build the tests, the demo and the simulation run: every workspace target, linted, with
# the node binary (`$DAEG_NODE`), the meter oracle (`$DAEG_ORACLE`) and the simulator
# (`$DAEG_SIM`).
daeg_build() {
	daeg_cargo test --workspace --all-targets --features "$DAEG_FEATURES" --no-run "$@"
}
