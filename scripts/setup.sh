#!/usr/bin/env bash
# Installs what building and testing DAEG needs on a fresh Debian machine, and nothing that is
# already there: Debian packages (protoc, clang, chromium), the Rust wasm target and rust-src,
# the npm packages (integration tests, demo, dashboard) and Python's. Safe to run again: every
# step checks before it installs.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*"; }

# --- Debian packages --------------------------------------------------------------------------
need_apt=()
command -v protoc >/dev/null 2>&1 || need_apt+=(protobuf-compiler)
command -v clang >/dev/null 2>&1 || need_apt+=(clang)
dpkg -s libclang-dev >/dev/null 2>&1 || need_apt+=(libclang-dev)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need_apt+=(python3-venv)
# The dashboard's browser test drives Debian's chromium.
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if ((${#need_apt[@]})); then
	log "installing Debian packages: ${need_apt[*]}"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO="sudo"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

# --- Rust -------------------------------------------------------------------------------------
if ! command -v cargo >/dev/null 2>&1; then
	echo "cargo not found: install Rust with rustup first (https://rustup.rs)" >&2
	exit 1
fi
# rust-toolchain.toml names the components and the wasm target; make sure they are present.
toolchain=$(rustup show active-toolchain | cut -d' ' -f1)
for t in wasm32v1-none wasm32-unknown-unknown; do
	rustup target list --installed --toolchain "$toolchain" | grep -qx "$t" \
		|| { log "adding the $t target"; rustup target add "$t" --toolchain "$toolchain"; }
done
for c in rust-src rustfmt clippy; do
	rustup component list --installed --toolchain "$toolchain" | grep -q "^$c" \
		|| { log "adding rustup component $c"; rustup component add "$c" --toolchain "$toolchain"; }
done

# --- npm packages -----------------------------------------------------------------------------
# One package for all of DAEG's JavaScript (integration tests, demo, dashboard).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	log "installing npm packages"
	npm ci --no-audit --no-fund --loglevel=error
fi

# --- Python packages (the Modbus meter simulator) ----------------------------------------------
source scripts/env.sh
if ! "$DAEG_PYTHON" -c 'import pymodbus' >/dev/null 2>&1 \
	|| [ scripts/requirements.txt -nt "$DAEG_VENV/.installed" ]; then
	log "installing Python packages into $DAEG_VENV"
	python3 -m venv "$DAEG_VENV"
	"$DAEG_VENV/bin/pip" install --quiet --disable-pip-version-check -r scripts/requirements.txt
	touch "$DAEG_VENV/.installed"
fi

log "ready"
