#!/usr/bin/env bash
# Regenerates data/profiles.csv and data/turbine-e53.csv from the public packages named in
# data/README.md, installed (pinned) into a virtual environment of their own.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${DAEG_DATA_VENV:-$HOME/.cache/daeg/data-venv}"
if [ ! -x "$venv/bin/python" ] || [ scripts/requirements-data.txt -nt "$venv/.installed" ]; then
	python3 -m venv "$venv"
	"$venv/bin/pip" install --quiet --disable-pip-version-check -r scripts/requirements-data.txt
	touch "$venv/.installed"
fi
exec "$venv/bin/python" scripts/extract_profiles.py
