"""The plugin's behaviour, driven through ``pytester``.

Subprocess runs set ``PYTHONPATH`` to this checkout so its ``pytest_trtcache`` is the
one imported (an editable install of another checkout may also be on the path).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pytest_trtcache.plugin import options
from pytest_trtcache.report import files

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.usefixtures("this_checkout")


@pytest.fixture
def this_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    for var in ("TRTCACHE_TARGET", "PYTEST_ADDOPTS"):
        monkeypatch.delenv(var, raising=False)


def test_the_plugin_resolves_to_this_checkout(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("import pytest_trtcache\ndef test_where():\n    print('FILE=' + pytest_trtcache.__file__)\n")
    result = pytester.runpytest_subprocess("-p", "trtcache", "-s")
    result.stdout.fnmatch_lines([f"*FILE={ROOT / 'pytest_trtcache' / '__init__.py'}"])


def test_it_loads_with_autoload_disabled(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile("def test_target(trtcache_target):\n    assert trtcache_target.spec == 'reference'\n")
    pytester.runpytest_subprocess("-p", "trtcache").assert_outcomes(passed=1)
    # without -p the fixture does not exist: the plugin really was off
    pytester.runpytest_subprocess().assert_outcomes(errors=1)


def test_importing_the_plugin_does_not_import_torch() -> None:
    code = "import sys, pytest_trtcache.plugin.hooks; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False", out.stderr


@pytest.mark.parametrize("via", ["option", "env"])
def test_a_bad_target_is_a_one_line_usage_error(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, via: str) -> None:
    pytester.makepyfile("def test_x():\n    pass\n")
    if via == "env":
        monkeypatch.setenv("TRTCACHE_TARGET", "bogus:thing")
        result = pytester.runpytest_subprocess("-p", "trtcache")
    else:
        result = pytester.runpytest_subprocess("-p", "trtcache", f"{options.TARGET}=bogus:thing")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if "bogus:thing" in line]
    assert len(errors) == 1, result.stderr.str()
    for form in ("reference", "module:<dotted.path>", "mutant:<name>"):
        assert form in errors[0]


def test_an_unknown_clause_in_a_marker_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("import pytest\n@pytest.mark.clause('Z9')\ndef test_x():\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "trtcache")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown clause*Z9*"])


def test_clause_option_selects_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "import pytest\n"
        "@pytest.mark.clause('H1')\ndef test_h1():\n    pass\n"
        "@pytest.mark.clause('S2')\ndef test_s2():\n    pass\n"
        "def test_unmarked():\n    pass\n"
    )
    result = pytester.runpytest_subprocess("-p", "trtcache", f"{options.CLAUSE}=S2", "-v")
    result.assert_outcomes(passed=1, deselected=2)
    result.stdout.fnmatch_lines(["*test_s2 PASSED*"])


def test_not_observable_becomes_a_skip(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "import pytest\nfrom pytest_trtcache.targets import NotObservable\n"
        "@pytest.mark.clause('H1')\ndef test_x():\n    raise NotObservable('no pending bytes here')\n"
    )
    result = pytester.runpytest_subprocess("-p", "trtcache", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*not observable: no pending bytes here*"])


LEAKY = """
import gc, pytest

class Leaky:
    def __repr__(self):
        return "<Leaky object>"
    def __del__(self):
        raise RuntimeError("boom in __del__")

@pytest.mark.clause("A3")
def test_marked():
    Leaky()
    gc.collect()

def test_unmarked():
    Leaky()
    gc.collect()
"""


def test_the_guard_fails_a_leaking_clause_test_only(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(LEAKY)
    result = pytester.runpytest_subprocess("-p", "trtcache")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*[[]A2[]] no runtime, step 'test call': while checking A3: expected no unraisable exception, observed 1:*", "*Exception ignored in*Leaky.__del__*", "*boom in __del__*"])
    result.stdout.fnmatch_lines(["FAILED *test_marked*"])
    result.stdout.no_fnmatch_line("FAILED *test_unmarked*")
    # an unmarked test's leak is left to pytest's own plugin (a warning), not swallowed
    result.stdout.fnmatch_lines(["*PytestUnraisableExceptionWarning*"])


def test_the_report_records_each_clause_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "import pytest\nfrom pytest_trtcache.targets import NotObservable\n"
        "@pytest.mark.clause('H1')\ndef test_pass():\n    pass\n"
        "@pytest.mark.clause('S1')\ndef test_fail():\n    assert False, 'nope'\n"
        "@pytest.mark.clause('X1')\ndef test_no():\n    raise NotObservable('hidden')\n"
        "def test_unmarked():\n    pass\n"
    )
    report = pytester.path / "report.json"
    pytester.runpytest_subprocess("-p", "trtcache", f"{options.REPORT}={report}")
    data = files.load(str(report))
    assert data.target.spec == "reference"
    got = {t.nodeid.split("::")[-1]: (t.clause, t.level, t.outcome.value) for t in data.tests}
    assert got == {
        "test_pass": ("H1", "required", "pass"),
        "test_fail": ("S1", "required", "fail"),
        "test_no": ("X1", "security", "not observed"),
    }
    fail = next(t for t in data.tests if t.nodeid.endswith("test_fail"))
    assert "nope" in fail.message


def test_the_header_shows_the_target_and_trtcache_env(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRTCACHE_TARGET", "reference")
    monkeypatch.setenv("TRTCACHE_TYPO_VAR", "x")
    pytester.makepyfile("def test_x():\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "trtcache")
    result.stdout.fnmatch_lines(["trtcache: target reference *", "trtcache env: *TRTCACHE_TARGET=reference*TRTCACHE_TYPO_VAR=x*"])
