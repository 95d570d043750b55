//! Builds the wasm runtime (skipped with `SKIP_WASM_BUILD=1`, e.g. for pallet tests and clippy).

#[cfg(feature = "std")]
fn main() {
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}

/// The wasm builder is a std-only build dependency: a `no_std` build of this crate (which is
/// what the wasm builder itself runs) has nothing to build.
#[cfg(not(feature = "std"))]
fn main() {}
