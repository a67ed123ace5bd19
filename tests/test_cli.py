"""The trtcache command: run from an installed wheel in a fresh venv, report, doctor, selfcheck."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHILD_ENV = {**os.environ, "PYTHONPATH": REPO}


def cli(*args: str, cwd: str = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest_trtcache.commands.cli", *args], cwd=cwd, env=CHILD_ENV, capture_output=True, text=True, timeout=300)


def test_doctor_reports_runtimes_compiler_cache_and_spawner(tmp_path) -> None:
    result = cli("doctor", "--target", "mutant:does-not-exist", cwd=str(tmp_path))
    assert result.returncode == 1, result.stderr  # the target asked about does not resolve
    for field in ("torch ", "compiler ", "cache dir ", "spawner ", "target "):
        assert field in result.stdout
    assert "runtime python: available" in result.stdout
    assert "mutant:does-not-exist: does not resolve: bad target" in result.stdout


def test_selfcheck_names_an_unknown_mutant_and_lists_the_zoo() -> None:
    from pytest_trtcache.mutants import MUTANTS

    result = cli("selfcheck", "--mutant", "del-keeps-token", "--mutant", "no-such-bug")
    assert result.returncode == 2
    assert "'no-such-bug'" in result.stderr and "--list" in result.stderr
    listing = cli("selfcheck", "--list")
    assert listing.returncode == 0, listing.stderr
    assert len(listing.stdout.splitlines()) == len(MUTANTS)
    assert any(line.split()[:2] == ["del-keeps-token", "A3"] for line in listing.stdout.splitlines())


def test_selfcheck_fails_on_a_survivor_and_on_a_failing_reference(monkeypatch, capsys) -> None:
    # The verdict logic, without the children: a survivor, then a reference that fails.
    from pytest_trtcache.commands import selfcheck
    from pytest_trtcache.report.records import Outcome, Report, Target, TestRecord

    def fake_row(mutant, extra_args=(), timeout=None, warm=None):
        row = selfcheck.KillRow(mutant.name, tuple(mutant.clauses))
        row.verdicts = {c: "survived" for c in mutant.clauses}
        return row

    def report(*tests: TestRecord) -> Report:
        return Report.of(target=Target("reference", "", "target"), versions={}, spawner="fork", levels_gated=(), tests=tests, tool_version="0")

    passing = selfcheck.SuiteRun("reference", None, 0, report(TestRecord.of("t", ["A3"], "python", Outcome.PASS)))
    monkeypatch.setattr(selfcheck, "kill_row", fake_row)
    monkeypatch.setattr(selfcheck, "run_suite", lambda target, **kw: passing)
    assert selfcheck.main(["--mutant", "del-keeps-token", "--spawn", "exec"]) == 1
    out = capsys.readouterr().out
    assert "del-keeps-token: SURVIVED A3" in out and "1 survived or errored: del-keeps-token" in out

    failing = selfcheck.SuiteRun("reference", None, 1, report(TestRecord.of("t", ["A3"], "python", Outcome.FAIL, step="drop", message="boom")))
    monkeypatch.setattr(selfcheck, "kill_row", lambda m, extra_args=(), timeout=None, warm=None: selfcheck.KillRow(m.name, tuple(m.clauses), verdicts={c: "killed" for c in m.clauses}))
    monkeypatch.setattr(selfcheck, "run_suite", lambda target, **kw: failing)
    assert selfcheck.main(["--mutant", "del-keeps-token", "--spawn", "exec"]) == 1
    assert "the reference FAILED the suite:\n  t: fail: [A3] runtime python, step 'drop': boom" in capsys.readouterr().err


def test_a_child_suite_past_its_timeout_is_an_error_naming_the_target() -> None:
    from pytest_trtcache.commands import selfcheck

    with pytest.raises(selfcheck.SuiteError, match=r"target reference: the suite did not finish in 1 s \(killed; a hang\?\)"):
        selfcheck.run_suite("reference", timeout=1)


def test_report_of_an_unreadable_file_names_it(tmp_path) -> None:
    result = cli("report", str(tmp_path / "none.json"))
    assert result.returncode == 2
    assert "none.json" in result.stderr


def test_doctor_names_what_is_missing_with_the_command_that_fixes_it(monkeypatch, capsys) -> None:
    from pytest_trtcache.commands import doctor

    monkeypatch.setattr(doctor, "_version", lambda dist: None)  # neither torch nor numpy
    monkeypatch.setattr(doctor, "compiler", lambda: (None, ""))
    assert doctor.main() == 1
    out, err = capsys.readouterr()
    assert "torch            MISSING (required): needed for everything" in out and "pip install torch==2.13.0" in out
    assert "numpy            missing (optional): needed for wheel: targets" in out and "pytest-trtcache[upstream]" in out
    compiler = next(line for line in out.splitlines() if line.startswith("compiler "))
    assert compiler.startswith("compiler         MISSING: needed for the reference cpp runtime") and "apt-get install g++" in compiler
    assert "optional" not in compiler and "fails the gate unless it leaves the runtime out: --trtcache-runtimes=python" in compiler
    assert "torch missing" in err


def test_doctor_exits_1_naming_the_import_error_of_a_module_target(tmp_path) -> None:
    result = cli("doctor", "--target", "module:no_such_vendor_cache", cwd=str(tmp_path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "module:no_such_vendor_cache: does not resolve: target 'module:no_such_vendor_cache': cannot import 'no_such_vendor_cache': No module named 'no_such_vendor_cache'" in result.stdout
    assert "does not resolve" in result.stderr and "Traceback" not in result.stderr


def test_doctor_says_a_runtime_that_cannot_run_fails_the_gate_unless_left_out(monkeypatch) -> None:
    from pytest_trtcache.commands import doctor
    from pytest_trtcache.targets.reference import ReferenceCpp

    monkeypatch.setattr(ReferenceCpp, "unavailable_reason", lambda self: "no C++ compiler")
    lines = doctor.runtimes("reference")
    assert "  runtime cpp: unavailable: no C++ compiler; a run of this target fails the gate on it unless it leaves it out: --trtcache-runtimes=python" in lines
    assert "  runtime python: available" in lines


def test_doctor_reports_a_missing_torch_without_importing_it() -> None:
    # Where torch is not installed, importing it fails: doctor must say so, not crash
    # (it once probed the compiler through reference/, whose package imports torch).
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from importlib import metadata\n"
        "found = metadata.version\n"
        "def version(name):\n"
        "    if name == 'torch': raise metadata.PackageNotFoundError(name)\n"
        "    return found(name)\n"
        "metadata.version = version\n"
        "from pytest_trtcache.commands.cli import main\n"
        "sys.exit(main(['doctor']))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], env=CHILD_ENV, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "torch            MISSING (required)" in result.stdout and "compiler " in result.stdout
    assert "Traceback" not in result.stderr and "torch missing" in result.stderr


def test_run_writes_relative_paths_in_the_callers_directory_and_last_failed_works(tmp_path) -> None:
    # One small clause keeps the child quick; the paths are what is under test.
    first = cli("run", "--trtcache-report=rel.json", "--junitxml=junit.xml", "-q", "--trtcache-allow-partial", "-k", "test_a_stream_that_returns_short_reads", cwd=str(tmp_path))
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert (tmp_path / "rel.json").is_file() and (tmp_path / "junit.xml").is_file()
    assert (tmp_path / ".pytest_cache").is_dir()
    again = cli("run", "--lf", "--trtcache-allow-partial", "-k", "test_a_stream_that_returns_short_reads", cwd=str(tmp_path))
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "no previously failed tests" in again.stdout
