"""Every input is checked before the run: a target or peer that cannot be imported, a
timeout out of its range: one usage error naming the option, no test run."""

from __future__ import annotations

import argparse

import pytest

from pytest_trtcache.plugin import options


SUITE_LIKE = """
import pytest

@pytest.mark.clause("H1")
def test_h1(runtime):
    pass
"""


@pytest.fixture(autouse=True)
def project(plugin_env: None, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite_like=SUITE_LIKE)


@pytest.mark.parametrize("flag", [options.TARGET, options.PEER])
def test_a_module_that_cannot_be_imported_is_one_usage_error_naming_the_option(pytester: pytest.Pytester, flag: str) -> None:
    result = pytester.runpytest_subprocess("-p", "trtcache", f"{flag}=module:nope_no_such_module")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if "nope_no_such_module" in line]
    assert len(errors) == 1, result.stderr.str()
    assert flag in errors[0] and "cannot import" in errors[0]
    assert "passed" not in result.stdout.str() and "failed" not in result.stdout.str()


def test_a_module_target_in_the_environment_is_named_by_its_variable(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRTCACHE_PEER", "module:nope_no_such_module")
    result = pytester.runpytest_subprocess("-p", "trtcache")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*TRTCACHE_PEER: target 'module:nope_no_such_module': cannot import*"])


@pytest.mark.parametrize("value", ["1e10", "86401", "1e-9", "0.09", "0", "nan", "inf"])
def test_a_timeout_outside_a_tenth_of_a_second_to_a_day_is_rejected(value: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=f"bad timeout {value!r}: expected seconds from 0.1 to 86400"):
        options.timeout_seconds(value)


@pytest.mark.parametrize(("value", "seconds"), [("0.1", 0.1), ("60", 60.0), ("86400", 86400.0)])
def test_a_timeout_from_a_tenth_of_a_second_to_a_day_is_accepted(value: str, seconds: float) -> None:
    assert options.timeout_seconds(value) == seconds


def test_a_huge_timeout_is_a_usage_error_before_any_test(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("-p", "trtcache", f"{options.TIMEOUT}=1e10")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{options.TIMEOUT}*bad timeout '1e10'*"])
