"""The report package: a real report validates against the shipped JSON Schema and reads
back into the same typed records, files are written atomically and checked before a run,
a report of an older schema version still reads, and a file that is not a report is
refused."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import pytest_trtcache.reference  # noqa: F401  (before pytester runs: see test_entry_points)
import torch  # noqa: F401

from pytest_trtcache.report import files, records, render, schema
from pytest_trtcache.report.records import Cell, Outcome, Report, TestRecord

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
def report(pytester: pytest.Pytester) -> tuple[pytest.RunResult, Report]:
    pytester.makepyfile(test_suite=SUITE)
    result = run(pytester, "--trtcache-level=required", "--trtcache-report=r.json")
    return result, files.load(str(pytester.path / "r.json"))


def by_name(report: Report) -> dict[str, TestRecord]:
    return {t.nodeid.split("::")[1].removesuffix("[python]"): t for t in report.tests}


def test_a_real_report_validates_against_the_shipped_schema_and_reads_back_the_same(report, pytester: pytest.Pytester) -> None:
    import jsonschema

    _, read = report
    data = json.loads((pytester.path / "r.json").read_text())
    jsonschema.Draft202012Validator(schema.json_schema()).validate(data)
    assert read.schema_version == schema.SCHEMA_VERSION and read.tool.name == "pytest-trtcache"
    assert files.to_json(read) == data  # the typed records carry every field, and nothing else
    assert files.read_report(files.to_json(read)) == read


def test_the_verdict_goes_to_the_clause_that_broke_and_lists_every_clause_checked(report) -> None:
    result, read = report
    broke = by_name(read)["test_two_clauses_the_second_breaks"]
    assert (broke.clauses, broke.tagged, broke.clause, broke.outcome) == (("H5", "H6"), "H5", "H6", Outcome.FAIL)
    assert (broke.step, broke.expected, broke.observed) == ("deepcopy", "'fresh lock'", "'same lock'")
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # H6 is required


def test_a_clause_named_in_text_is_not_parsed_as_the_verdict(report) -> None:
    _, read = report
    text = by_name(read)["test_a_text_naming_another_clause_is_not_parsed"]
    # H9 is an extension clause: ungated at level required, whatever its text names
    assert (text.clause, text.outcome, text.gated) == ("H9", Outcome.FAIL_UNGATED, False)
    assert text.message == "AssertionError: [H5] this text is not a verdict"


def test_not_observable_is_recorded_with_what_is_missing(report) -> None:
    result, read = report
    hidden = by_name(read)["test_not_observable"]
    assert (hidden.outcome, hidden.part, hidden.message) == (Outcome.NOT_OBSERVED, "pending_bytes", "no pending bytes here")
    result.stdout.fnmatch_lines(["SKIPPED*not observable: no pending bytes here"])


def test_an_unraisable_leak_is_an_a2_violation_of_the_test_step(report) -> None:
    _, read = report
    leak = by_name(read)["test_leaks_an_unraisable"]
    assert (leak.clause, leak.clauses, leak.runtime, leak.step, leak.outcome) == ("A2", ("H4", "A2"), "python", "test call", Outcome.FAIL)
    assert "boom in __del__" in leak.message


def test_the_clause_cells_use_the_one_vocabulary(report) -> None:
    _, read = report
    cells = {(c.clause, c.runtime): c.verdict for c in read.clauses}
    assert cells == {
        ("H1", "python"): Outcome.NOT_OBSERVED, ("H2", "python"): Outcome.PASS, ("H6", "python"): Outcome.FAIL,
        ("H9", "python"): Outcome.FAIL_UNGATED, ("A2", "python"): Outcome.FAIL,
    }
    assert {o.value for o in Outcome} == set(schema.json_schema()["$defs"]["outcome"]["enum"])


def _report(*tests: TestRecord) -> Report:
    gate = records.Gate(levels=("required",), unobserved_required=(), allowed_unobserved=("W1",), problems=(),
                        runtimes=records.GateRuntimes(declared=("python", "cpp"), selected=("python",), unavailable={"cpp": "no compiler"}))
    return Report.of(target=records.Target("reference", "the reference", "target"), versions={"torch": "2.13.0"}, spawner="fork",
                     levels_gated=["required"], tests=tests, tool_version="0.1.0", gate=gate)


def test_every_record_round_trips_through_json_into_the_same_types(tmp_path: Path) -> None:
    written = _report(
        TestRecord.of("t::b", ["H5", "H6"], "python", Outcome.FAIL, clause="H6", message="kept", step="deepcopy", expected="a", observed="b"),
        TestRecord.of("t::a", ["A7"], None, Outcome.NOT_OBSERVED, part="pending_bytes").ungated(),
    )
    path = tmp_path / "r.json"
    files.write_report(str(path), written)
    read = files.load(str(path))
    assert read == written and type(read.tests[0].outcome) is Outcome and type(read.gate) is records.Gate
    assert isinstance(read.tests, tuple) and isinstance(read.clauses[0], Cell) and read.tests[0].nodeid == "t::a"
    assert "gate" not in files.to_json(dataclasses.replace(read, gate=None))  # no gate until judged


def test_a_report_of_schema_version_1_still_reads() -> None:
    """A report written by schema version 1 (frozen in tests/data): every later field is
    optional, so it reads into today's records."""
    read = files.load(os.path.join(os.path.dirname(__file__), "data", "report-schema-1.json"))
    assert read.schema_version == 1 and read.target.spec == "module:pytest_trtcache.reference"
    assert read.tests and all(isinstance(t.outcome, Outcome) for t in read.tests) and read.gate is not None
    assert render.matrix(read).startswith("### trtcache conformance: `module:pytest_trtcache.reference`")


def test_a_report_missing_an_optional_field_reads_with_its_default() -> None:
    data = files.to_json(_report(TestRecord.of("t::a", ["A7"], "python", Outcome.PASS)))
    del data["gate"]["unobserved_allowed"]  # optional in the schema: a field added after version 1
    assert files.read_report(data).gate.unobserved_allowed == ()


def test_a_report_of_a_newer_schema_version_is_refused_by_name() -> None:
    data = files.to_json(_report())
    data["schema_version"] = schema.SCHEMA_VERSION + 1
    with pytest.raises(schema.ReportError, match=f"schema_version is {schema.SCHEMA_VERSION + 1}"):
        files.read_report(data)


def test_a_marker_with_an_unknown_second_clause_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("import pytest\n@pytest.mark.clause('H5', 'Z9')\ndef test_x():\n    pass\n")
    result = run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*names unknown clause ('Z9',)*"])


def test_a_cell_with_some_tests_unobserved_says_how_many_passed() -> None:
    tests = [TestRecord.of("a", ["A7"], "python", Outcome.PASS), TestRecord.of("b", ["A7"], "python", Outcome.NOT_OBSERVED)]
    assert render.cell_text(Cell.over(tests)) == "pass (1/2)"
    assert render.cell_text(Cell.over(tests[1:])) == "not observed"


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
    ('{"schema_version": 0}', "schema_version is 0"), ('{"schema_version": 99}', "schema_version is 99"), ('{"schema_version": 1}', "not a valid report"),
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
    version = schema.json_schema()["properties"]["schema_version"]
    assert (version["minimum"], version["maximum"]) == (schema.OLDEST_SCHEMA_VERSION, schema.SCHEMA_VERSION)


def test_the_schema_lists_every_record_field_and_requires_none_that_has_a_default() -> None:
    """schema.json and records.py describe one shape: a field added to a record with a
    default is an optional property of the schema (an older report lacks it)."""
    defs = schema.json_schema()
    for kind, node in ((TestRecord, defs["$defs"]["test"]), (Cell, defs["$defs"]["cell"]), (records.Gate, defs["$defs"]["gate"]), (records.Run, defs["$defs"]["run"]), (Report, defs)):
        names = {f.name for f in dataclasses.fields(kind)}
        defaulted = {f.name for f in dataclasses.fields(kind) if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING}
        assert set(node["properties"]) == names, kind
        assert names - defaulted <= set(node["required"]) <= names, kind
        assert names - set(node["required"]) <= defaulted, kind  # what the schema leaves optional has a default


def test_a_not_observable_test_does_not_stop_pdb(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("import pytest\nfrom pytest_trtcache.targets import NotObservable\n"
                        "@pytest.mark.clause('H1')\ndef test_x(runtime):\n    raise NotObservable('hidden', part='pending_bytes')\n")
    result = run(pytester, "--pdb")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED [[]1[]] test_a_not_observable_test_does_not_stop_pdb.py:5: not observable: hidden"])
    result.stdout.no_fnmatch_line("*PDB*")
