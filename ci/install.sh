#!/usr/bin/env bash
# Install everything the project needs into the active Python, from the repo's own files.
# torch goes first, pinned to the CPU build this machine's kind has on disk (never a CUDA
# download), so that pip finds the project's `torch>=...` already satisfied.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${VIRTUAL_ENV:-}" ]; then
  echo "ci/install.sh: no virtual environment is active; installing into $(command -v python) (the README's commands make and activate .venv first)" >&2
fi
python -m pip install -q --disable-pip-version-check torch==2.13.0
python -m pip install -q --disable-pip-version-check -e '.[test]'
