#!/usr/bin/env bash
# Flake proof: run the conformance suite against the reference N times in a row,
# alternating sequential and `-n 2` runs, and count failing runs. Zero is the only
# acceptable count. Logs of failing runs are kept under $FLAKE_LOGS.
# FLAKE_SUITE=tests runs the project's own tests instead (`-m "not network"`, with the
# CI profile), alternating `-n 2` and `-n 3` so tests meet different neighbours on a worker.
#   usage: bash ci/flake.sh [N] [extra pytest args...]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
shift || true
logs=${FLAKE_LOGS:-$(mktemp -d -t trtcache-flake-XXXX)}
mkdir -p "$logs"
failed=0
python=python; command -v python >/dev/null || python=python3  # the GPU box has only python3
start=$(date +%s)
for i in $(seq 1 "$runs"); do
  if [ "${FLAKE_SUITE:-conformance}" = tests ]; then
    if (( i % 2 )); then mode=(-n 2); else mode=(-n 3); fi
    label="tests ${mode[*]}"; cmd=(env CI=true "$python" -m pytest -q -p no:cacheprovider -m "not network")
  else
    if (( i % 2 )); then mode=(); label=sequential; else mode=(-n 2); label="-n 2"; fi
    cmd=("$python" -m pytest -p trtcache conformance -q -p no:cacheprovider)
  fi
  t0=$(date +%s)
  if "${cmd[@]}" "${mode[@]}" "$@" >"$logs/run-$i.log" 2>&1; then
    verdict=ok; rm -f "$logs/run-$i.log"
  else
    verdict=FAILED; failed=$((failed + 1))
  fi
  echo "run $i/$runs ($label${*:+, then $*}): $verdict in $(( $(date +%s) - t0 ))s"
done
echo "flake count: $failed failing run(s) of $runs in $(( $(date +%s) - start ))s (logs of failures: $logs)"
exit $(( failed > 0 ))
