#!/usr/bin/env bash
# Install everything the project needs, from the repo's own files.
# torch is pinned to the CPU build on this machine's kind (never a CUDA download).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q --disable-pip-version-check torch==2.13.0
python -m pip install -q --disable-pip-version-check -e '.[test]'
