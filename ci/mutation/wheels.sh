#!/usr/bin/env bash
# Lays out .device/ for ci/mutation/gpu.sh (the lent machine has no network): the wheels
# of cosmic-ray 8.7.0 and its dependencies for that machine's python (3.12), ninja and
# filelock, and upstream 2.14.0's runtime sources from the wheel this machine caches.
#   ci/mutation/wheels.sh          (then: run with carry [".device"])
set -euo pipefail
cd "$(dirname "$0")/../.."
py=${DEVICE_PYTHON:-3.12}
platforms=(--platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 --platform manylinux_2_5_x86_64)
mkdir -p .device/wheels
python -m pip wheel -q --no-deps yattag -w .device/wheels  # an sdist only
python -m pip download -q cosmic-ray==8.7.0 ninja filelock --find-links .device/wheels \
    --python-version "$py" --only-binary=:all: "${platforms[@]}" -d .device/wheels
src=$(python -c 'from pytest_trtcache.targets.wheel import extract, fetch; print(extract(fetch("torch-tensorrt==2.14.0")))')
rm -rf .device/upstream-2.14.0 && mkdir -p .device/upstream-2.14.0
cp -r "$src/torch_tensorrt" .device/upstream-2.14.0/
du -sh .device
