#!/usr/bin/env bash
# What CI runs: the README's test command, verbatim (tests/test_packaging.py keeps the
# two equal). It builds its own venv in .venv (git-ignored) without system
# site-packages, so a dependency only this machine has fails here, not on a user's.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv && . .venv/bin/activate && bash ci/install.sh && python -m pytest -n 2
