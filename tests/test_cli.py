"""The trtcache command: run from an installed wheel in a fresh venv, report, doctor, selfcheck."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHILD_ENV = {**os.environ, "PYTHONPATH": REPO}


def cli(*args: str, cwd: str = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest_trtcache.cli", *args], cwd=cwd, env=CHILD_ENV, capture_output=True, text=True, timeout=300)


def test_doctor_reports_runtimes_compiler_cache_and_spawner(tmp_path) -> None:
    result = cli("doctor", "--target", "mutant:does-not-exist", cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr
    for field in ("torch ", "compiler ", "cache dir ", "spawner ", "target "):
        assert field in result.stdout
    assert "runtime python: available" in result.stdout
    assert "mutant:does-not-exist: does not resolve: bad target" in result.stdout


def test_selfcheck_names_an_unknown_mutant_and_lists_the_zoo() -> None:
    from pytest_trtcache.mutants import MUTANTS, catalog  # noqa: F401

    result = cli("selfcheck", "--mutant", "del-keeps-token", "--mutant", "no-such-bug")
    assert result.returncode == 2
    assert "'no-such-bug'" in result.stderr and "--list" in result.stderr
    listing = cli("selfcheck", "--list")
    assert listing.returncode == 0, listing.stderr
    assert len(listing.stdout.splitlines()) == len(MUTANTS)
    assert any(line.split()[:2] == ["del-keeps-token", "A3"] for line in listing.stdout.splitlines())


def test_selfcheck_fails_on_a_survivor_and_on_a_failing_reference(monkeypatch, capsys) -> None:
    # The verdict logic, without the children: a survivor, then a reference that fails.
    from pytest_trtcache import selfcheck

    def fake_row(mutant, extra_args=(), timeout=None):
        row = selfcheck.KillRow(mutant.name, tuple(mutant.clauses))
        row.verdicts = {c: "survived" for c in mutant.clauses}
        return row

    passing = selfcheck.SuiteRun("reference", None, 0, {"tests": [{"nodeid": "t", "outcome": "passed", "message": ""}]})
    monkeypatch.setattr(selfcheck, "kill_row", fake_row)
    monkeypatch.setattr(selfcheck, "run_suite", lambda target, **kw: passing)
    assert selfcheck.main(["--mutant", "del-keeps-token"]) == 1
    out = capsys.readouterr().out
    assert "del-keeps-token: SURVIVED A3" in out and "1 survived or errored: del-keeps-token" in out

    failing = selfcheck.SuiteRun("reference", None, 1, {"tests": [{"nodeid": "t", "outcome": "failed", "message": "[A3] boom"}]})
    monkeypatch.setattr(selfcheck, "kill_row", lambda m, extra_args=(), timeout=None: selfcheck.KillRow(m.name, tuple(m.clauses), verdicts={c: "killed" for c in m.clauses}))
    monkeypatch.setattr(selfcheck, "run_suite", lambda target, **kw: failing)
    assert selfcheck.main(["--mutant", "del-keeps-token"]) == 1
    assert "the reference FAILED the suite:\n  t: failed: [A3] boom" in capsys.readouterr().err


def test_a_child_suite_past_its_timeout_is_an_error_naming_the_target() -> None:
    from pytest_trtcache import selfcheck

    with pytest.raises(selfcheck.SuiteError, match=r"target reference: the suite did not finish in 1 s \(killed; a hang\?\)"):
        selfcheck.run_suite("reference", timeout=1)


def test_report_of_an_unreadable_file_names_it(tmp_path) -> None:
    result = cli("report", str(tmp_path / "none.json"))
    assert result.returncode == 2
    assert "none.json" in result.stderr


@pytest.mark.network
def test_trtcache_run_works_from_an_empty_directory_with_only_the_built_wheel_installed(tmp_path) -> None:
    started = time.perf_counter()
    dist, venv, empty = tmp_path / "dist", tmp_path / "venv", tmp_path / "empty"
    empty.mkdir()
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), REPO], check=True, capture_output=True)
    (wheel,) = dist.glob("pytest_trtcache-*.whl")
    # torch (and pytest, filelock...) come from the system site-packages.
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True)
    where = subprocess.run([str(py), "-c", "import pytest_trtcache.conformance as c; print(c.__file__)"], cwd=empty, capture_output=True, text=True, check=True)
    assert where.stdout.startswith(str(venv)), where.stdout  # the installed copy, not this checkout
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    report = empty / "report.json"
    result = subprocess.run([str(venv / "bin" / "trtcache"), "run", "--report", str(report), "-q"], cwd=empty, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and "failed" not in result.stdout
    rendered = subprocess.run([str(venv / "bin" / "trtcache"), "report", str(report)], cwd=empty, env=env, capture_output=True, text=True, check=True)
    assert "| H1 | required | pass |" in rendered.stdout
    assert sorted(os.listdir(empty)) == ["report.json"]  # nothing else left in the user's directory
    print(f"wheel + venv + trtcache run: {time.perf_counter() - started:.1f} s")
