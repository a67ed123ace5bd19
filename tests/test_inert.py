"""Installed and autoloaded, the plugin leaves a project that does not use it exactly as
it is (``plugin.in_use``): the same hypothesis settings, the same output and outcome as
with ``-p no:trtcache``, whatever ``CI`` and ``TRTCACHE_*`` say."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PLAIN = """
from hypothesis import settings

def test_plain():
    s = settings.default
    print("SETTINGS", s.max_examples, s.deadline, s.derandomize, s.database is None)
"""

CONFTEST = """
from hypothesis import settings
settings.register_profile("mine", max_examples=7)
"""


@pytest.fixture(autouse=True)
def plain_project(monkeypatch: pytest.MonkeyPatch, pytester: pytest.Pytester) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    for var in ("TRTCACHE_TARGET", "PYTEST_ADDOPTS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD", "CI"):
        monkeypatch.delenv(var, raising=False)
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_plain=PLAIN)


def _run(pytester: pytest.Pytester, *args: str) -> tuple[pytest.ExitCode | int, list[str]]:
    result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider", "-p", "no:randomly", *args)
    # The lines that may differ between runs: timings, and the plugins pytest lists.
    lines = [line for line in result.outlines if not line.startswith(("plugins:", "rootdir:")) and " in " not in line]
    return result.ret, lines


@pytest.mark.parametrize(
    "env",
    [{}, {"CI": "1"}, {"TRTCACHE_TARGET": "bogus"}, {"CI": "true", "TRTCACHE_TARGET": "module:nope", "TRTCACHE_TYPO": "x"}],
    ids=["plain", "CI", "bad-target-env", "all-at-once"],
)
@pytest.mark.parametrize("profile", [None, "mine"])
def test_an_unrelated_project_runs_as_without_the_plugin(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], profile: str | None) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    extra = (f"--hypothesis-profile={profile}",) if profile else ()
    autoloaded = _run(pytester, *extra)
    without = _run(pytester, "-p", "no:trtcache", *extra)
    assert autoloaded == without
    assert autoloaded[0] == pytest.ExitCode.OK
    assert not any("trtcache" in line for line in autoloaded[1])
    # Under CI hypothesis loads its own "ci" profile: the comparison above is the proof.
    expected = "SETTINGS 7" if profile else "SETTINGS 100 " if "CI" in env else "SETTINGS 100 0:00:00.200000 False False"
    assert any(expected in line for line in autoloaded[1]), autoloaded[1]


SUITE_TEST = """
import pytest
from hypothesis import settings
from pytest_trtcache.plugin.profiles import settings_of

@pytest.mark.clause("H1")
def test_suite(pytestconfig):
    print("SUITE", settings_of(pytestconfig).max_examples, "DEFAULT", settings.default.max_examples)
"""


@pytest.mark.parametrize(("ci", "examples"), [("", 50), ("1", 200)])
@pytest.mark.parametrize("how", [(), ("-p", "trtcache")], ids=["by-its-marker", "by-p"])
def test_the_suite_still_gets_its_profile_and_leaves_the_default_alone(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str, examples: int, how: tuple[str, ...]) -> None:
    monkeypatch.setenv("CI", ci)
    pytester.makepyfile(test_suite=SUITE_TEST)
    result = pytester.runpytest_subprocess("-s", "-p", "no:randomly", *how, "test_suite.py")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"*SUITE {examples} DEFAULT 100*"])


OVERRIDE_TEST = """
import pytest
from pytest_trtcache.plugin.profiles import settings_of

@pytest.mark.clause("H1")
def test_suite(pytestconfig):
    s = settings_of(pytestconfig)
    print("SUITE", s.max_examples, s.stateful_step_count, s.derandomize)
"""


def test_examples_and_steps_override_the_profile_and_keep_the_rest_of_it(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "1")
    monkeypatch.setenv("TRTCACHE_STEPS", "7")
    pytester.makepyfile(test_suite=OVERRIDE_TEST)
    result = pytester.runpytest_subprocess("-s", "-p", "no:randomly", "-p", "trtcache", "--trtcache-examples=9", "test_suite.py")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*lifecycle hypothesis profile trtcache-ci:examples=9:steps=7*", "*SUITE 9 7 True*"])


def test_a_bad_target_in_the_environment_still_fails_a_run_that_uses_the_plugin(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRTCACHE_TARGET", "bogus")
    result = pytester.runpytest_subprocess("-p", "trtcache", "test_plain.py")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*TRTCACHE_TARGET: bad target 'bogus'*"])
