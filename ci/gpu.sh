#!/usr/bin/env bash
# GPU checks, for the lent GPU machine (torch with CUDA preinstalled, no network):
#   1. the reference C++ extension builds and loads there;
#   2. the conformance suite passes (H8's CUDA-tensor test runs for real there);
#   3. the project's tests pass (those that need PyPI are deselected: no network);
#   4. tests/test_gpu.py: a CUDA-initialized test process still gets working (forked)
#      children; a fork server whose target initialized CUDA falls back to exec, says so
#      once, and its children use CUDA themselves.
# Prints a summary line per step and exits non-zero if any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONUNBUFFERED=1 TRTCACHE_CACHE_DIR=${TRTCACHE_CACHE_DIR:-/tmp/trtcache-gpu-cache}
jobs=${GPU_JOBS:-8}
out=/tmp/trtcache-gpu  # full logs; the device tool's $OUT gets the summary and log tails
mkdir -p "$out"
summary=()
step() {  # step NAME COMMAND...: run, log to $out/NAME.log, record the verdict
  local name=$1; shift
  local t0=$(date +%s)
  if "$@" >"$out/$name.log" 2>&1; then v=PASS; else v=FAIL; fi
  summary+=("$v $name ($(( $(date +%s) - t0 ))s): $(tail -n 1 "$out/$name.log")")
  echo "${summary[-1]}"
}

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/device.txt"
python3 -c 'import torch, sys; print("python", sys.version.split()[0], "torch", torch.__version__, "cuda", torch.version.cuda, "devices", torch.cuda.device_count())' | tee -a "$out/device.txt"
python3 -m pip install -q --no-deps --no-build-isolation --no-index -e . >"$out/install.log" 2>&1 || { echo "FAIL install: $(tail -n 3 "$out/install.log")"; exit 1; }

step build python3 -c 'import time; t=time.perf_counter(); from pytest_trtcache.reference import cpp; r=cpp.unavailable_reason(); print("cpp runtime:", r or f"built and loaded in {time.perf_counter()-t:.1f}s"); raise SystemExit(1 if r else 0)'
step conformance python3 -m pytest -p trtcache conformance -q -p no:cacheprovider -n "$jobs" -rs --trtcache-report="$out/report.json"
step tests python3 -m pytest -q -p no:cacheprovider -n "$jobs" -m "not network" -rs
step gpu python3 -m pytest -q -p no:cacheprovider tests/test_gpu.py -rA

echo "== summary =="
printf '%s\n' "${summary[@]}" | tee "$out/summary.txt"
if [ -n "${OUT:-}" ] && [ "$OUT" != "$out" ]; then
  cp "$out/summary.txt" "$out/device.txt" "$OUT/"
  for name in build conformance tests gpu; do
    { grep -E '^(FAILED|ERROR)|crashed' "$out/$name.log"; echo ...; tail -n 150 "$out/$name.log"; } >"$OUT/$name.tail.txt" 2>/dev/null
  done
fi
! printf '%s\n' "${summary[@]}" | grep -q '^FAIL'
