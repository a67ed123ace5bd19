"""The gate counts what was not tested: an unobserved required clause, or a declared
runtime that could not run, fails the run unless the user allowed it by name."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pytest_trtcache.plugin.completeness import judge
from pytest_trtcache.report import files
from pytest_trtcache.report.records import Outcome, TestRecord

pytest_plugins = ["pytester"]
REPO = Path(__file__).resolve().parent.parent
CONFORMANCE = str(REPO / "conformance")


def _record(clauses, outcome, **details):
    return TestRecord.of("t::" + "-".join(clauses) + outcome, clauses, "python", outcome, **details)


def test_a_required_clause_seen_by_no_test_is_a_problem_naming_the_fix() -> None:
    gate = judge([_record(["W1"], Outcome.NOT_OBSERVED, message="no engine wrapper class"), _record(["H4"], Outcome.PASS)],
                 ["python"], ["python"], frozenset(), ["required"])
    assert gate.unobserved_required == ("W1",)
    assert gate.problems == ("required clause(s) W1 observed by no test: W1: no engine wrapper class. "
                                "Fix the target, or allow it explicitly: --trtcache-allow-unobserved=W1",)


def test_an_allowed_clause_is_recorded_not_failed_and_extension_clauses_are_not_counted() -> None:
    gate = judge([_record(["W1"], Outcome.NOT_OBSERVED), _record(["H7"], Outcome.NOT_OBSERVED)], ["python"], ["python"], frozenset({"W1"}), ["required"])
    assert gate.problems == () and gate.unobserved_allowed == ("W1",) and gate.unobserved_required == ()


def test_a_clause_seen_by_one_of_its_tests_is_observed() -> None:
    gate = judge([_record(["A7"], Outcome.NOT_OBSERVED), _record(["A7"], Outcome.PASS)], ["python"], ["python"], frozenset(), ["required"])
    assert gate.problems == ()


def _run(pytester: pytest.Pytester, *args: str, env: dict[str, str] = {}) -> pytest.RunResult:
    for key, value in env.items():
        pytester._monkeypatch.setenv(key, value)
    pytester._monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO / "tests"), str(REPO)]))
    return pytester.runpytest_subprocess("-p", "trtcache", CONFORMANCE, "-p", "no:cacheprovider", *args)


def test_a_runtime_that_cannot_run_fails_the_run_unless_left_out(pytester: pytest.Pytester, tmp_path: Path) -> None:
    env = {"CXX": "trtcache-no-such-compiler++", "TRTCACHE_CACHE_DIR": str(tmp_path / "cache")}
    result = _run(pytester, "--trtcache-clause=H4", env=env)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["trtcache gate FAILED: runtime cpp could not run here (*no C++ compiler found*--trtcache-runtimes=python"])
    result = _run(pytester, "--trtcache-clause=H4", "--trtcache-runtimes=python", env=env)
    assert result.ret == pytest.ExitCode.OK and "cpp" not in result.stdout.str().split("trtcache: target")[1].split("\n")[1]


def test_a_target_without_a_wrapper_fails_w1_and_w2_unless_allowed(pytester: pytest.Pytester) -> None:
    target = "--trtcache-target=module:partial_target.no_wrapper"
    result = _run(pytester, target, "--trtcache-clause=W1,W2", "--trtcache-runtimes=python")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["trtcache gate FAILED: required clause(s) W1, W2 observed by no test: *--trtcache-allow-unobserved=W1,W2"])
    report = pytester.path / "report.json"
    result = _run(pytester, target, "--trtcache-clause=W1,W2", "--trtcache-runtimes=python", "--trtcache-allow-unobserved=W1,W2", f"--trtcache-report={report}")
    assert result.ret == pytest.ExitCode.OK
    gate = files.load(str(report)).gate
    assert gate.unobserved_allowed == ("W1", "W2") and gate.problems == () and gate.runtimes.selected == ("python",)


def test_an_unknown_runtime_name_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "--trtcache-runtimes=python,gpu")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--trtcache-runtimes: gpu is not a runtime of target reference (its runtimes: python, cpp)*"])
