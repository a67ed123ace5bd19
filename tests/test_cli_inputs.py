"""``trtcache`` rejects what it cannot act on, before doing anything, with one line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pytest_trtcache.commands import cli


def _trtcache(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest_trtcache.commands.cli", *args], capture_output=True, text=True, timeout=300)


def test_trtcache_version_names_the_package_version() -> None:
    import pytest_trtcache

    out = _trtcache("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"pytest-trtcache {pytest_trtcache.__version__}"


def test_doctor_refuses_an_unknown_option() -> None:
    out = _trtcache("doctor", "--bogus")
    assert out.returncode == 2 and "unexpected arguments: --bogus" in out.stderr


def test_doctor_fails_on_a_target_that_does_not_resolve() -> None:
    out = _trtcache("doctor", "--target=garbage")
    assert out.returncode == 1
    assert "target 'garbage' does not resolve" in out.stderr and "does not resolve" in out.stdout


def test_run_with_workers_but_without_xdist_says_what_to_install(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from pytest_trtcache.plugin.completeness import INFRASTRUCTURE

    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "xdist" else real(name, *a))
    assert cli.main(["run", "-n", "2"]) == INFRASTRUCTURE  # the machine's lack, not the target's violation
    err = capsys.readouterr().err
    assert "needs pytest-xdist" in err and "pip install 'pytest-trtcache[ci]'" in err


def test_bench_refuses_zero_samples() -> None:
    out = _trtcache("bench", "-n", "0")
    assert out.returncode == 2 and "expected a positive integer, got '0'" in out.stderr and "Traceback" not in out.stderr
