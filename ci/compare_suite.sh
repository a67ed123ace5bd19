#!/usr/bin/env bash
# Side by side: the conformance suite against the reference at REV (a git worktree) and
# at this checkout, alternating (REV, here, REV, here, ...) so both see the same load;
# prints each run's time and the per-round ratio here / REV, then the median ratio.
#   usage: bash ci/compare_suite.sh REV [ROUNDS] [extra pytest args, e.g. -n 2]
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: bash ci/compare_suite.sh REV [ROUNDS] [pytest args...]}
rounds=${2:-3}
shift $(( $# >= 2 ? 2 : 1 ))
base=$(mktemp -d -t trtcache-compare-XXXX)
git worktree add -q --detach "$base/tree" "$rev"
trap 'git worktree remove --force "$base/tree"; rm -rf "$base"' EXIT
python=python; command -v python >/dev/null || python=python3
plugin_of() {  # the plugin module of a tree (pytest_trtcache.plugin before the layout of #14)
  if [ -f "$1/pytest_trtcache/plugin/hooks.py" ]; then echo pytest_trtcache.plugin.hooks; else echo pytest_trtcache.plugin; fi
}
run() {  # run DIR: seconds of one suite run (pytest's own figure), or exit on a failure
  local out
  # Plugins by module, not entry point: the installed entry point names this checkout's module.
  out=$(cd "$1" && PYTHONPATH="$1" PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 "$python" -m pytest -p "$(plugin_of "$1")" -p xdist.plugin -p _hypothesis_pytestplugin \
        conformance -q -p no:cacheprovider -o addopts= "${@:2}" 2>&1 | tail -n 1)
  case "$out" in *failed*|*error*) echo "a run in $1 failed: $out" >&2; exit 1;; esac
  sed -E 's/.* in ([0-9.]+)s.*/\1/' <<<"$out"
}
ratios=()
for i in $(seq 1 "$rounds"); do
  before=$(run "$base/tree" "$@")
  after=$(run "$PWD" "$@")
  ratio=$("$python" -c "print(f'{$after / $before:.3f}')")
  ratios+=("$ratio")
  echo "round $i: $rev ${before}s, here ${after}s, ratio $ratio"
done
"$python" -c "import statistics, sys; r = sorted(map(float, sys.argv[1:])); print(f'median ratio here / $rev over {len(r)} rounds: {statistics.median(r):.3f} (min {r[0]:.3f}, max {r[-1]:.3f})')" "${ratios[@]}"
