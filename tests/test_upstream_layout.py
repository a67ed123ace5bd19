"""``module:`` targets: a module with upstream's names passes the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

from pytest_trtcache import selfcheck

TESTS = Path(__file__).resolve().parent
TARGET = "module:upstream_layout._runtime_cache"


def test_an_upstream_laid_out_module_passes_the_suite() -> None:
    env = dict(os.environ, PYTHONPATH=str(TESTS))
    run = selfcheck.run_suite(TARGET, env=env)
    assert run.report["target"] == TARGET
    assert run.tests, f"no conformance test ran:\n{run.output[-3000:]}"
    # The module has every field the suite observes, so nothing may be not-observable.
    bad = [f"{t['nodeid']}: {t['outcome']}: {t['message']}" for t in run.tests if t["outcome"] != "passed"]
    assert bad == [] and run.returncode == 0, "\n".join(bad) + "\n" + run.output[-3000:]
