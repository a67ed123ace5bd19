"""``trtcache bench`` with tiny samples: every figure is in the JSON with its sample size.

Checks the shape of the report only; timing values are never asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SAMPLED = [  # one value per round (-n)
    "child.exec", "child.fork", "pair.exec", "pair.fork", "ratio.pair_fork_over_exec",
    "channel.exec", "channel.fork", "ratio.channel_fork_over_exec",
    "fork_phase.request_to_fork", "fork_phase.fork_to_step_start", "fork_phase.step", "fork_phase.atexit_hooks",
    "fork_phase.after_atexit_to_reaped",
    "finalization.fork_os_exit", "finalization.fork_frozen", "finalization.fork_unfrozen", "finalization.fork_frozen_whole_exit",
    "finalization.exec_finalize", "finalization.exec_os_exit",
    "import.plugin_alone", "import.plugin_after_pytest",
    "pytest.trivial_with_trtcache", "pytest.trivial_without_trtcache", "pytest.plugin_load_delta",
    "differential.world_snapshot",
]
ONCE = ["fork.server_start", "lifecycle.in_process_examples_per_s", "lifecycle.cross_process_examples_per_s", "differential.examples_per_s"]


@pytest.mark.slow  # about 30 s on 2 shared cores: real children, a fork server, the lifecycle and differential machines
def test_bench_reports_every_figure_with_its_sample_size(tmp_path) -> None:
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, "-m", "pytest_trtcache.commands.cli", "bench", "-n", "2", "--examples", "2", "--cross-examples", "1", "--steps", "3", "--differential-examples", "2", "--json", str(out)],
        cwd=str(tmp_path), env={**os.environ, "PYTHONPATH": REPO}, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(out.read_text())
    figures = report["figures"]
    assert sorted(figures) == sorted(SAMPLED + ONCE)
    for name, fig in figures.items():
        expected = 2 if name in SAMPLED else 1
        assert fig["n"] == len(fig["values"]) == expected, f"{name}: n={fig['n']}, {len(fig['values'])} values, expected {expected}"
        assert {"median", "p90", "unit", "note"} <= set(fig), name
    for name in ("lifecycle.in_process_examples_per_s", "lifecycle.cross_process_examples_per_s", "differential.examples_per_s"):
        assert figures[name]["examples"] >= 1, name  # the rate's own sample size: examples run
    assert set(report["goals"]) == {"fork pair / exec pair", "plugin load"}  # no --suite: no suite goal
    assert len(report["machine"]["loadavg_before"]) == 3
    for name in SAMPLED + ONCE:  # the table names every figure with its n
        assert f"| {name} | {figures[name]['n']} |" in result.stdout


def test_the_vendor_suites_ratios_are_goals() -> None:
    """``--suite`` tracks failing / passing and gapped / failing against the benchmark
    vendor as goals (the ratios themselves are measured, never asserted)."""
    from pytest_trtcache.commands.bench import goals

    def fig(value: float) -> dict:
        return {"median": value, "values": [value], "n": 1, "unit": "x", "note": "", "p90": value}

    out = goals({"ratio.failing_over_passing": fig(1.5), "ratio.gapped_over_failing": fig(1.2)})
    assert out == {
        "failing / passing vendor, -n 2": {"goal": "<= 2", "measured": 1.5, "met": True},
        "gapped / failing vendor, -n 2": {"goal": "<= 1", "measured": 1.2, "met": False},
    }


def test_the_bench_vendor_is_a_module_target_in_two_states() -> None:
    """The benchmark's vendor: the fixed and the buggy module resolve as ``module:``
    targets, and the buggy one differs in pickling, the at-exit autosave and saving."""
    import pickle

    from pytest_trtcache.commands.bench_suite import VENDOR
    from pytest_trtcache.commands.bench_vendor import buggy, fixed
    from pytest_trtcache.targets import resolve

    for module in ("fixed", "buggy"):
        assert resolve(f"{VENDOR}.{module}").spec == f"{VENDOR}.{module}"
    pickle.dumps(fixed._RuntimeCacheHandle(""))
    with pytest.raises(TypeError, match="pickle"):
        pickle.dumps(buggy._RuntimeCacheHandle(""))
    assert buggy.RuntimeCache._autosave_if_enabled is not fixed.RuntimeCache._autosave_if_enabled
    assert buggy.RuntimeCache.write_file is not fixed.RuntimeCache.write_file
