"""``module:`` targets: a module with upstream's names passes the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

from pytest_trtcache.commands import selfcheck
from pytest_trtcache.report.records import Outcome
from tests._nested import PASSING_TARGET_ENV

TESTS = Path(__file__).resolve().parent
TARGET = "module:upstream_layout._runtime_cache"


def test_an_upstream_laid_out_module_passes_the_suite() -> None:
    env = dict(os.environ, **PASSING_TARGET_ENV, PYTHONPATH=str(TESTS))
    run = selfcheck.run_suite(TARGET, env=env)
    assert run.report.target.spec == TARGET
    assert run.tests, f"no conformance test ran:\n{run.output[-3000:]}"
    # The module has every field the suite observes; the only tests that may not pass are
    # H7's (one runtime: nothing to compare with) and skips this machine causes (root
    # ignores directory permissions; no CUDA device).
    allowed = ("test_parity.py", "as root", "(root)", "no CUDA device")
    bad = [
        f"{t.nodeid}: {t.outcome}: {t.message}"
        for t in run.tests
        if t.outcome is not Outcome.PASS and not (t.outcome in (Outcome.SKIPPED, Outcome.NOT_OBSERVED) and any(a in t.nodeid + t.message for a in allowed))
    ]
    assert bad == [] and run.returncode == 0, "\n".join(bad) + "\n" + run.output[-3000:]
    assert sum(t.outcome is Outcome.PASS for t in run.tests) > 90
