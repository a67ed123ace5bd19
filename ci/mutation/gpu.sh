#!/usr/bin/env bash
# The full mutation runs on the lent 16-core GPU machine (no network there):
#   ci/mutation/gpu.sh reference|upstream [JOBS [LABEL [MUTATE ARGS...]]]
# installs cosmic-ray (and ninja, filelock where missing) from wheels carried in
# .device/wheels (ci/mutation/wheels.sh makes them), this checkout, then runs trtcache
# mutate over the reference's python runtime or over upstream 2.14.0's _runtime_cache.py
# (carried in .device/upstream-2.14.0), writing LABEL.json/.txt/.log to $OUT (or
# /tmp/trtcache-mutate). One call of the device runs 10 minutes at most: split the
# reference by --paths when one call cannot hold it.
set -euo pipefail
cd "$(dirname "$0")/../.."
which=${1:?reference or upstream}
jobs=${2:-15}
label=${3:-$which}
shift $(( $# < 3 ? $# : 3 ))
out=${OUT:-/tmp/trtcache-mutate}
mkdir -p "$out"
export PYTHONUNBUFFERED=1 TRTCACHE_CACHE_DIR=${TRTCACHE_CACHE_DIR:-/tmp/trtcache-gpu-cache}
python3 -m pip install -q --no-index --find-links .device/wheels cosmic-ray==8.7.0 ninja filelock >"$out/install.log" 2>&1 || { tail -n 20 "$out/install.log"; exit 1; }
python3 -m pip install -q --no-deps --no-build-isolation --no-index -e . >>"$out/install.log" 2>&1 || { tail -n 20 "$out/install.log"; exit 1; }
case $which in
  reference) args=(--target reference) ;;
  upstream) args=(--target sources:.device/upstream-2.14.0 --known-gaps ci/mutation/torch-tensorrt-2.14.0.gaps) ;;
  *) echo "ci/mutation/gpu.sh: $which: give reference or upstream" >&2; exit 2 ;;
esac
nproc; python3 -c 'import sys, torch; print("python", sys.version.split()[0], "torch", torch.__version__)'
set +e
python3 -m pytest_trtcache mutate "${args[@]}" -j "$jobs" --fail-under 0 "$@" --json "$out/$label.json" >"$out/$label.txt" 2>"$out/$label.log"
rc=$?
set -e
tail -n 5 "$out/$label.log"; tail -n 60 "$out/$label.txt"
exit $rc
