#!/usr/bin/env bash
# What CI runs: install, then the README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install.sh
python -m pytest -n 2
