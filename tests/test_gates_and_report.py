"""--trtcache-level gates, --trtcache-known-gaps, the JSON report and its Markdown matrix."""

from __future__ import annotations

import dataclasses

import os
import subprocess
import sys

import pytest

import pytest_trtcache.reference  # noqa: F401  (before pytester runs: see test_entry_points)
import torch  # noqa: F401

from pytest_trtcache.report import files, render
from pytest_trtcache.report.records import Gate, GateRuntimes, Outcome, Report, Target, TestRecord, Verdict

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Child interpreters import this checkout's plugin, not an installed one.
CHILD_ENV = {**os.environ, "PYTHONPATH": REPO}

SUITE = """
import pytest

@pytest.mark.clause("H4")
def test_required_passes(runtime):
    pass

@pytest.mark.clause("H9")
def test_extension_fails(runtime, check):
    with check.step("serialize"):
        check.equal("serialize() while pending", b"", b"x")

@pytest.mark.clause("X1")
def test_security_fails(runtime):
    raise AssertionError("symlink target truncated")
"""

REQUIRED_FAILS = """
import pytest

@pytest.mark.clause("H5")
def test_required_fails(runtime):
    raise AssertionError("broken")
"""

def records(path) -> tuple[dict[str, TestRecord], Report]:
    report = files.load(str(path))
    return {r.nodeid.split("::")[1]: r for r in report.tests}, report


# One runtime, so each fake test runs once: the reference package, adapted as a module.
ONE_RUNTIME = "--trtcache-target=module:pytest_trtcache.reference"


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "trtcache", "-p", "no:cacheprovider", "-rxs", ONE_RUNTIME, *args)


class TestGates:
    def test_by_default_every_level_is_gated(self, pytester: pytest.Pytester) -> None:
        pytester.makepyfile(SUITE)
        result = run(pytester)
        result.assert_outcomes(passed=1, failed=2)

    def test_an_ungated_failure_does_not_fail_the_run_but_is_reported_failed(self, pytester: pytest.Pytester) -> None:
        pytester.makepyfile(SUITE)
        result = run(pytester, "--trtcache-level=required", "--trtcache-report=r.json")
        assert result.ret == pytest.ExitCode.OK
        result.assert_outcomes(passed=1, xfailed=2)
        result.stdout.fnmatch_lines(["*ungated extension clause failed: [[]H9] runtime python, step 'serialize': serialize() while pending: expected b'x', observed b''*"])
        by_test, _ = records(pytester.path / "r.json")
        ungated = by_test["test_extension_fails[python]"]
        assert ungated.duration is not None and ungated.duration >= 0
        assert dataclasses.replace(ungated, duration=None) == TestRecord(
            nodeid="test_an_ungated_failure_does_not_fail_the_run_but_is_reported_failed.py::test_extension_fails[python]",
            clauses=("H9",), tagged="H9", clause="H9", level="extension", runtime="python",
            outcome=Outcome.FAIL_UNGATED, gated=False, message="serialize() while pending: expected b'x', observed b''",
            step="serialize", expected="b'x'", observed="b''",
        )
        assert by_test["test_security_fails[python]"].message == "AssertionError: symlink target truncated"
        assert by_test["test_security_fails[python]"].step == "test call"
        assert by_test["test_required_passes[python]"].outcome is Outcome.PASS

    def test_a_gated_level_among_several_fails_the_run(self, pytester: pytest.Pytester) -> None:
        pytester.makepyfile(SUITE)
        result = run(pytester, "--trtcache-level=security", "--trtcache-report=r.json")
        assert result.ret == pytest.ExitCode.TESTS_FAILED
        result.assert_outcomes(passed=1, failed=1, xfailed=1)
        by_test, data = records(pytester.path / "r.json")
        assert (by_test["test_security_fails[python]"].gated, by_test["test_extension_fails[python]"].gated) == (True, False)
        assert data.levels_gated == ("required", "security")

    def test_required_is_always_gated(self, pytester: pytest.Pytester) -> None:
        pytester.makepyfile(REQUIRED_FAILS)
        result = run(pytester, "--trtcache-level=required")
        result.assert_outcomes(failed=1)

    def test_a_bad_level_is_a_usage_error_naming_it(self, pytester: pytest.Pytester) -> None:
        result = run(pytester, "--trtcache-level=optional")
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines(["*bad level 'optional'*"])


class TestKnownGaps:
    def test_listed_gaps_become_xfails_and_unmatched_ids_warn(self, pytester: pytest.Pytester) -> None:
        pytester.makepyfile(SUITE)
        pytester.path.joinpath("gaps.txt").write_text("# vendor gaps\nH9 python  # pending bytes not serialized\nS1 python\nS4\n")
        result = run(pytester, "--trtcache-known-gaps=gaps.txt", "--trtcache-report=r.json")
        result.assert_outcomes(passed=1, failed=1, xfailed=1, warnings=2)
        result.stdout.fnmatch_lines([
            "*known gap S1 python (gaps.txt:3) matches no collected test*",
            "*known gap S4 (gaps.txt:4) matches no collected test*",
            "*known gap H9 python (gaps.txt:2): pending bytes not serialized*",
        ])
        by_test, _ = records(pytester.path / "r.json")
        assert by_test["test_extension_fails[python]"].outcome is Outcome.KNOWN_GAP

    def test_a_runtime_the_target_lacks_is_a_usage_error(self, pytester: pytest.Pytester) -> None:
        pytester.makepyfile(SUITE)
        pytester.path.joinpath("gaps.txt").write_text("H9 python\nX1 cpp\n")
        result = run(pytester, "--trtcache-known-gaps=gaps.txt")  # a module: target has the python runtime only
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines(["*gaps.txt:2: 'cpp' in 'X1 cpp' is not a runtime or runtime pair of this run (known: python, python->python)*"])

    def test_a_fixed_gap_fails_the_run(self, pytester: pytest.Pytester) -> None:
        pytester.makepyfile(SUITE)
        pytester.path.joinpath("gaps.txt").write_text("H4\n")
        result = run(pytester, "--trtcache-known-gaps=gaps.txt", "--trtcache-level=required", "--trtcache-report=r.json")
        result.assert_outcomes(xpassed=1, xfailed=2)  # the entry is strict, not each test
        assert result.ret == pytest.ExitCode.TESTS_FAILED
        result.stdout.fnmatch_lines(["*STALE known gap H4 (gaps.txt:1): every test it matches passed (1): remove the entry*"])
        _, data = records(pytester.path / "r.json")  # the report says why the run failed, and so does its matrix
        assert data.gate is not None and data.gate.problems == ("stale known gap H4 (gaps.txt:1): every test it matches passed; remove the entry",)
        assert data.verdict() is Verdict.FAIL
        assert "\n**gate: FAIL** (1 gate problem(s))\n- stale known gap H4 (gaps.txt:1)" in render.matrix(data)

    def test_an_unknown_clause_in_the_file_is_a_usage_error(self, pytester: pytest.Pytester) -> None:
        pytester.path.joinpath("gaps.txt").write_text("Z9\n")
        result = run(pytester, "--trtcache-known-gaps=gaps.txt")
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines(["*gaps.txt:1: *'Z9'*"])


class TestReport:
    def test_the_report_carries_target_versions_and_spawner(self, pytester: pytest.Pytester) -> None:
        pytester.makepyfile(SUITE)
        run(pytester, "--trtcache-report=r.json")
        _, data = records(pytester.path / "r.json")
        assert data.target == Target("module:pytest_trtcache.reference", "module pytest_trtcache.reference", "target")
        assert data.spawner == "auto (requested)"  # no child was spawned
        assert {"torch", "python", "pytest-trtcache"} <= set(data.versions)

    def test_the_matrix_goes_to_the_github_step_summary(self, pytester: pytest.Pytester, monkeypatch) -> None:
        summary = pytester.path / "summary.md"
        summary.write_text("earlier step\n")
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
        pytester.makepyfile(SUITE)
        run(pytester, "--trtcache-level=required")
        text = summary.read_text()
        assert text.startswith("earlier step\n")
        assert "| clause | level | python |" in text
        assert "| H4 | required | pass |" in text
        assert "| H9 | extension | fail (not gated) |" in text
        assert "| X1 | security | fail (not gated) |" in text

    def test_trtcache_report_renders_a_saved_report(self, pytester: pytest.Pytester) -> None:
        pytester.makepyfile(SUITE)
        run(pytester, "--trtcache-report=r.json")
        result = subprocess.run([sys.executable, "-m", "pytest_trtcache.commands.cli", "report", str(pytester.path / "r.json")], capture_output=True, text=True, env=CHILD_ENV)
        assert result.returncode == 0, result.stderr
        assert "| H9 | extension | fail |" in result.stdout
        assert "not observed: the target does not expose" in result.stdout
        assert "- `test_trtcache_report_renders_a_saved_report.py::test_extension_fails[python]` (fail): [H9] runtime python, step 'serialize'" in result.stdout

    def test_under_xdist_the_controller_writes_every_workers_records(self, pytester: pytest.Pytester, monkeypatch) -> None:
        monkeypatch.setenv("PYTHONPATH", REPO)
        pytester.makepyfile(SUITE)
        result = pytester.runpytest_subprocess("-p", "trtcache", ONE_RUNTIME, "-n", "2", "--trtcache-level=required", "--trtcache-report=r.json")
        assert result.ret == pytest.ExitCode.OK, result.stdout.str()
        by_test, _ = records(pytester.path / "r.json")
        assert {k: (v.outcome.value, v.gated) for k, v in by_test.items()} == {
            "test_required_passes[python]": ("pass", True),
            "test_extension_fails[python]": ("fail (not gated)", False),
            "test_security_fails[python]": ("fail (not gated)", False),
        }


@pytest.mark.parametrize("xdist", [False, True], ids=["plain", "xdist"])
def test_junit_test_cases_carry_clause_runtime_level_and_outcome(pytester: pytest.Pytester, monkeypatch, xdist: bool) -> None:
    import xml.etree.ElementTree as ET

    if xdist:
        pytest.importorskip("xdist")
    monkeypatch.setenv("PYTHONPATH", REPO)
    pytester.makepyfile(SUITE + "\ndef test_untagged():\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "trtcache", "-p", "no:randomly", ONE_RUNTIME, "--trtcache-level=required",
                                           "--junitxml=junit.xml", *(("-n", "2") if xdist else ()))
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    cases = ET.parse(pytester.path / "junit.xml").getroot().iter("testcase")
    properties = {case.get("name"): [(p.get("name"), p.get("value")) for p in case.iter("property")] for case in cases}
    assert properties == {
        "test_required_passes[python]": [("trtcache_clause", "H4"), ("trtcache_runtime", "python"), ("trtcache_level", "required"), ("trtcache_outcome", "pass")],
        "test_extension_fails[python]": [("trtcache_clause", "H9"), ("trtcache_runtime", "python"), ("trtcache_level", "extension"), ("trtcache_outcome", "fail (not gated)")],
        "test_security_fails[python]": [("trtcache_clause", "X1"), ("trtcache_runtime", "python"), ("trtcache_level", "security"), ("trtcache_outcome", "fail (not gated)")],
        "test_untagged": [],
    }


class TestRenderedVerdict:
    @staticmethod
    def report(tests: list, problems: tuple = (), judged: bool = True) -> Report:
        gate = Gate(levels=("required",), unobserved_required=(), allowed_unobserved=(),
                    runtimes=GateRuntimes(declared=("python", "cpp"), selected=("python", "cpp"), unavailable={"cpp": "no compiler"}),
                    problems=problems)
        return Report.of(target=Target("reference", "the reference", "target"), versions={}, spawner="exec", levels_gated=["required"],
                         tests=tests, tool_version="0", gate=gate if judged else None)

    def test_a_gate_failure_no_test_shows_is_the_top_line_with_every_problem_and_the_runtime_that_could_not_run(self) -> None:
        problems = ("runtime cpp could not run here (no compiler). Fix it, or test without it: --trtcache-runtimes=python",
                    "required clause(s) H5 observed by no test")
        text = render.matrix(self.report([
            TestRecord.of("t.py::test_h4[python]", ["H4"], "python", Outcome.PASS),
            TestRecord.of("t.py::test_h4[cpp]", ["H4"], "cpp", Outcome.SKIPPED, message="runtime cpp unavailable: no compiler", unavailable_runtime="cpp"),
            TestRecord.of("t.py::test_c1[python->cpp]", ["C1"], "python->cpp", Outcome.SKIPPED, message="loader runtime cpp unavailable", unavailable_runtime="cpp"),
            TestRecord.of("t.py::test_h9[python]", ["H9"], "python", Outcome.SKIPPED, message="skipped by the test"),
        ], problems))
        lines = text.splitlines()
        assert lines[0] == "### trtcache conformance: `reference`: FAIL"
        assert lines[2:5] == ["**gate: FAIL** (2 gate problem(s))", f"- {problems[0]}", f"- {problems[1]}"]
        header = next(line for line in lines if line.startswith("| clause |")).strip("| ").split(" | ")
        rows = {row[0]: dict(zip(header, row)) for row in (line.strip("| ").split(" | ") for line in lines if line.startswith("| ") and line.count("|") > 3)}
        assert (rows["H4"]["python"], rows["H4"]["cpp"]) == ("pass", "could not run (cpp)")
        assert rows["C1"]["python->cpp"] == "could not run (cpp)"
        assert rows["H9"]["python"] == "skipped"  # skipped for another reason

    def test_a_failing_test_makes_the_verdict_fail_and_a_clean_run_pass(self) -> None:
        failing = TestRecord.of("t.py::test_h4[python]", ["H4"], "python", Outcome.FAIL, message="broken")
        assert render.matrix(self.report([failing])).splitlines()[2] == "**gate: FAIL** (1 failing test(s))"
        ungated = TestRecord.of("t.py::test_h9[python]", ["H9"], "python", Outcome.FAIL_UNGATED, gated=False)
        text = render.matrix(self.report([TestRecord.of("t.py::test_h4[python]", ["H4"], "python", Outcome.PASS), ungated]))
        assert text.splitlines()[0].endswith(": PASS") and text.splitlines()[2] == "**gate: PASS**"

    def test_a_report_the_gate_never_judged_is_incomplete(self) -> None:
        text = render.matrix(self.report([TestRecord.of("t.py::test_h4[python]", ["H4"], "python", Outcome.PASS)], judged=False))
        assert text.splitlines()[0].endswith(": INCOMPLETE") and "**gate: INCOMPLETE**" in text

    def test_trtcache_report_renders_a_runtime_that_could_not_run(self, pytester: pytest.Pytester) -> None:
        pytester.makepyfile(
            "import pytest\n"
            "from pytest_trtcache.targets.base import RuntimeUnavailable\n"
            "@pytest.mark.clause('H4')\n"
            "def test_h4(runtime):\n"
            "    raise RuntimeUnavailable('no C++ compiler', runtime='python')\n"
        )
        result = run(pytester, "--trtcache-report=r.json")
        assert result.ret == pytest.ExitCode.TESTS_FAILED
        shown = subprocess.run([sys.executable, "-m", "pytest_trtcache.commands.cli", "report", str(pytester.path / "r.json")],
                               capture_output=True, text=True, env=CHILD_ENV)
        lines = shown.stdout.splitlines()
        assert lines[0].endswith(": FAIL") and lines[2] == "**gate: FAIL** (2 gate problem(s))", shown.stdout + shown.stderr
        assert lines[3].startswith("- required clause(s) H4 observed by no test")
        assert lines[4].startswith("- runtime python could not run here (no C++ compiler)")
        assert "| H4 | required | could not run (python) |" in lines
