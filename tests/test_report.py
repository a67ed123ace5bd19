"""The report package: a real report validates against the shipped JSON Schema, files are
written atomically and checked before a run, and a file that is not a report is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import pytest_trtcache.reference  # noqa: F401  (before pytester runs: see test_entry_points)
import torch  # noqa: F401

from pytest_trtcache.report import files, render, schema

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHILD_ENV = {**os.environ, "PYTHONPATH": REPO}
ONE_RUNTIME = "--trtcache-target=module:pytest_trtcache.reference"

SUITE = """
import pytest
from pytest_trtcache.contract.verdict import ClauseViolation
from pytest_trtcache.targets import NotObservable

@pytest.mark.clause("H5", "H6")
def test_two_clauses_the_second_breaks(runtime, check):
    raise ClauseViolation("H6", "deepcopy kept the lock", runtime=runtime.id, step="deepcopy", expected="fresh lock", observed="same lock", compared=True)

@pytest.mark.clause("H9")
def test_a_text_naming_another_clause_is_not_parsed(runtime):
    raise AssertionError("[H5] this text is not a verdict")

@pytest.mark.clause("H1")
def test_not_observable(runtime):
    raise NotObservable("no pending bytes here", part="pending_bytes")

class Leaky:
    def __del__(self):
        raise RuntimeError("boom in __del__")

@pytest.mark.clause("H4")
def test_leaks_an_unraisable(runtime):
    Leaky()

@pytest.mark.clause("H2")
def test_passes(runtime):
    pass
"""


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "trtcache", "-p", "no:cacheprovider", "-rxs", ONE_RUNTIME, *args)


@pytest.fixture
def report(pytester: pytest.Pytester) -> tuple[pytest.RunResult, dict]:
    pytester.makepyfile(test_suite=SUITE)
    result = run(pytester, "--trtcache-level=required", "--trtcache-report=r.json")
    return result, json.loads((pytester.path / "r.json").read_text())


def by_name(data: dict) -> dict[str, dict]:
    return {t["nodeid"].split("::")[1].removesuffix("[python]"): t for t in data["tests"]}


def test_a_real_report_validates_against_the_shipped_schema(report) -> None:
    import jsonschema

    _, data = report
    jsonschema.Draft202012Validator(schema.json_schema()).validate(data)
    assert data["schema_version"] == schema.SCHEMA_VERSION
    assert data["tool"]["name"] == "pytest-trtcache"
    assert schema.validate(data) is data


def test_the_verdict_goes_to_the_clause_that_broke_and_lists_every_clause_checked(report) -> None:
    result, data = report
    broke = by_name(data)["test_two_clauses_the_second_breaks"]
    assert (broke["clauses"], broke["tagged"], broke["clause"], broke["outcome"]) == (["H5", "H6"], "H5", "H6", "fail")
    assert (broke["step"], broke["expected"], broke["observed"]) == ("deepcopy", "'fresh lock'", "'same lock'")
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # H6 is required


def test_a_clause_named_in_text_is_not_parsed_as_the_verdict(report) -> None:
    _, data = report
    text = by_name(data)["test_a_text_naming_another_clause_is_not_parsed"]
    # H9 is an extension clause: ungated at level required, whatever its text names
    assert (text["clause"], text["outcome"], text["gated"]) == ("H9", "fail (not gated)", False)
    assert text["message"] == "AssertionError: [H5] this text is not a verdict"


def test_not_observable_is_recorded_with_what_is_missing(report) -> None:
    result, data = report
    hidden = by_name(data)["test_not_observable"]
    assert (hidden["outcome"], hidden["part"], hidden["message"]) == ("not observed", "pending_bytes", "no pending bytes here")
    result.stdout.fnmatch_lines(["SKIPPED*not observable: no pending bytes here"])


def test_an_unraisable_leak_is_an_a2_violation_of_the_test_step(report) -> None:
    _, data = report
    leak = by_name(data)["test_leaks_an_unraisable"]
    assert (leak["clause"], leak["clauses"], leak["runtime"], leak["step"], leak["outcome"]) == ("A2", ["H4", "A2"], "python", "test call", "fail")
    assert "boom in __del__" in leak["message"]


def test_the_clause_cells_use_the_one_vocabulary(report) -> None:
    _, data = report
    cells = {(c["clause"], c["runtime"]): c["verdict"] for c in data["clauses"]}
    assert cells == {
        ("H1", "python"): "not observed", ("H2", "python"): "pass", ("H6", "python"): "fail",
        ("H9", "python"): "fail (not gated)", ("A2", "python"): "fail",
    }
    assert set(schema.OUTCOMES) >= set(cells.values())


def test_a_marker_with_an_unknown_second_clause_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("import pytest\n@pytest.mark.clause('H5', 'Z9')\ndef test_x():\n    pass\n")
    result = run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*names unknown clause ('Z9',)*"])


def test_a_cell_with_some_tests_unobserved_says_how_many_passed() -> None:
    records = [schema.test_record("a", ["A7"], "python", schema.PASS), schema.test_record("b", ["A7"], "python", schema.NOT_OBSERVED)]
    assert render.cell_text(schema.cell(records)) == "pass (1/2)"
    assert render.cell_text(schema.cell(records[1:])) == "not observed"


@pytest.mark.parametrize("option", ["--trtcache-report=missing/r.json", "--trtcache-report=afile/r.json"])
def test_an_unwritable_report_path_is_a_usage_error_before_any_test_runs(pytester: pytest.Pytester, option: str) -> None:
    pytester.path.joinpath("afile").write_text("")
    pytester.makepyfile("import pytest\n@pytest.mark.clause('H4')\ndef test_x():\n    pass\n")
    result = run(pytester, option)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{option}: cannot write the report there:*; create the directory or choose another path"])
    result.stdout.no_fnmatch_line("*test_x*")


def test_an_unwritable_step_summary_is_a_usage_error_before_any_test_runs(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(pytester.path / "missing" / "summary.md"))
    pytester.makepyfile("import pytest\n@pytest.mark.clause('H4')\ndef test_x():\n    pass\n")
    result = run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*GITHUB_STEP_SUMMARY=*summary.md: cannot append the step summary there: directory * does not exist*"])


def test_a_write_that_fails_half_way_leaves_the_old_report_and_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.json"
    path.write_text('{"old": 1}')

    def full_disk(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError, match="No space left"):
        files.write_json(str(path), {"new": "x" * 100_000})
    assert path.read_text() == '{"old": 1}'
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


@pytest.mark.parametrize("text, says", [
    ("{}", "schema_version is None"), ("[]", "a JSON list"), ("{not json", "is not JSON"),
    ('{"schema_version": 0}', "schema_version is 0"), ('{"schema_version": 1}', "not a valid report"),
])
def test_trtcache_report_refuses_a_file_that_is_not_a_report_in_one_line(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "r.json"
    path.write_text(text)
    result = subprocess.run([sys.executable, "-m", "pytest_trtcache.commands.cli", "report", str(path)], capture_output=True, text=True, env=CHILD_ENV)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and says in result.stderr and "Traceback" not in result.stderr, result.stderr


def test_a_check_of_several_clauses_names_the_one_it_was_checking() -> None:
    from pytest_trtcache.contract.check import Check, ClauseViolation

    check = Check(("H5", "H6"), "python")
    with pytest.raises(ClauseViolation) as caught, check.on("H6"), check.step("deepcopy"):
        check.equal("lock after deepcopy", "same", "fresh")
    assert (caught.value.clauses, caught.value.step) == (("H6", "H5"), "deepcopy")
    assert check.clauses == ("H5", "H6")


@pytest.mark.parametrize("command", ["selfcheck", "verdicts"])
def test_a_json_output_in_a_missing_directory_is_refused_before_anything_runs(tmp_path: Path, command: str) -> None:
    out = tmp_path / "missing" / "out.json"
    result = subprocess.run([sys.executable, "-m", "pytest_trtcache.commands.cli", command, "--json", str(out)], capture_output=True, text=True, env=CHILD_ENV, timeout=60)
    assert result.returncode == 2
    assert f"--json {out}: directory {out.parent} does not exist" in result.stderr and "Traceback" not in result.stderr


def test_the_json_schema_ships_as_package_data() -> None:
    import tomllib

    with open(os.path.join(REPO, "pyproject.toml"), "rb") as f:
        package_data = tomllib.load(f)["tool"]["setuptools"]["package-data"]
    assert "schema.json" in package_data["pytest_trtcache.report"]
    assert schema.json_schema()["properties"]["schema_version"] == {"const": schema.SCHEMA_VERSION}


def test_a_not_observable_test_does_not_stop_pdb(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("import pytest\nfrom pytest_trtcache.targets import NotObservable\n"
                        "@pytest.mark.clause('H1')\ndef test_x(runtime):\n    raise NotObservable('hidden', part='pending_bytes')\n")
    result = run(pytester, "--pdb")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED [[]1[]] test_a_not_observable_test_does_not_stop_pdb.py:5: not observable: hidden"])
    result.stdout.no_fnmatch_line("*PDB*")
