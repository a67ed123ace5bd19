"""ci/cpu_per_test.py: a test's CPU time counts its child processes."""

from __future__ import annotations

import json
import os

import pytest

CI_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "ci")

BURNS_IN_A_CHILD = """
import subprocess, sys

def test_burns_in_a_child():
    subprocess.run([sys.executable, "-c", "import time\\nt = time.process_time()\\nwhile time.process_time() - t < 0.4: pass"], check=True)

def test_idle():
    pass
"""


def test_a_tests_cpu_counts_its_children_and_the_summary_sums_by_file(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    log = pytester.path / "cpu.jsonl"
    monkeypatch.setenv("CPU_PER_TEST_LOG", str(log))
    monkeypatch.setenv("PYTHONPATH", CI_DIR)
    pytester.makepyfile(test_burn=BURNS_IN_A_CHILD)
    pytester.runpytest_subprocess("-p", "cpu_per_test", "-p", "no:cacheprovider").assert_outcomes(passed=2)
    records = {r["id"]: r for r in map(json.loads, log.read_text().splitlines())}
    assert records["test_burn.py::test_burns_in_a_child"]["children"] >= 0.35
    assert records["test_burn.py::test_idle"]["children"] < 0.1
    monkeypatch.syspath_prepend(CI_DIR)
    from cpu_per_test import summary

    assert "| `test_burn.py` |" in summary(str(log), 1) and "test_burn.py::test_burns_in_a_child" in summary(str(log), 1)
