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
# Byte-compile once, as pip does for a regular install (not for an editable one), and let
# pytest cache the modules it rewrites for assertions (hypothesis's, xdist's, this
# plugin's, the suite's) even where PYTHONDONTWRITEBYTECODE is set: every later pytest
# process (xdist workers, pytester and selfcheck children) then reads them instead of
# rewriting ~140 modules, about 1.3 CPU-s a process. A stale cache is never used (pytest
# and Python check each file's size and mtime).
python -m compileall -q pytest_trtcache conformance tests > /dev/null
PYTHONDONTWRITEBYTECODE= python -m pytest -p trtcache --collect-only -q -p no:cacheprovider conformance tests > /dev/null
