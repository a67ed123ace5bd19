"""Resolve once, hand down: the target, the peer and the known gaps are read once in
``pytest_configure`` and shipped to xdist workers (``plugin.session``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_trtcache.plugin import options

ROOT = Path(__file__).resolve().parent.parent

COUNTING_CONFTEST = """
import pytest_trtcache.targets as targets
import pytest_trtcache.plugin.known_gaps as known_gaps

calls = []
real_resolve, real_parse = targets.resolve, known_gaps.parse

def counting_resolve(spec, role="target", **kw):
    calls.append(("resolve", spec, role))
    return real_resolve(spec, role, **kw)

def counting_parse(path):
    calls.append(("parse", path))
    return real_parse(path)

targets.resolve = counting_resolve
known_gaps.parse = counting_parse

def pytest_sessionfinish(session):
    import os
    # Not PYTEST_XDIST_WORKER: an outer xdist run (this project's own -n 2) sets it for the controller too.
    name = session.config.workerinput["workerid"] if hasattr(session.config, "workerinput") else "main"
    with open(os.path.join(str(session.config.rootpath), "calls-" + name), "w") as f:
        f.write(repr(calls))
"""


@pytest.fixture(autouse=True)
def this_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    for var in ("TRTCACHE_TARGET", "PYTEST_ADDOPTS"):
        monkeypatch.delenv(var, raising=False)


def _calls(pytester: pytest.Pytester, name: str) -> list:
    import ast

    return ast.literal_eval((pytester.path / f"calls-{name}").read_text())


def test_the_target_and_known_gaps_are_read_once_and_shipped_to_workers(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makeconftest(COUNTING_CONFTEST)
    (pytester.path / "gaps.txt").write_text("H9  # a gap\n")
    pytester.makepyfile(
        "import pytest\n"
        "from pytest_trtcache.plugin.known_gaps import known_gaps_for\n"
        "@pytest.mark.parametrize('n', range(4))\n"
        "def test_x(pytestconfig, trtcache_target, n):\n"
        "    assert trtcache_target.spec == 'reference'\n"
        "    assert known_gaps_for(pytestconfig, 'python') == {'H9'}\n"
    )
    result = pytester.runpytest_subprocess("-p", "trtcache", "-n", "2", f"{options.KNOWN_GAPS}=gaps.txt", "-W", "ignore::pytest.PytestWarning")
    result.assert_outcomes(passed=4)
    assert _calls(pytester, "main") == [("resolve", "reference", "target"), ("parse", "gaps.txt")]
    for worker in ("gw0", "gw1"):  # rebuilt from the spec, the gaps as shipped
        assert _calls(pytester, worker) == [("resolve", "reference", "target")]


def test_a_bad_known_gaps_file_is_a_usage_error_naming_the_option(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x():\n    pass\n")
    (pytester.path / "gaps.txt").write_text("Z1\n")
    result = pytester.runpytest_subprocess("-p", "trtcache", f"{options.KNOWN_GAPS}=gaps.txt")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{options.KNOWN_GAPS}: known-gaps file 'gaps.txt': gaps.txt:1: *'Z1'*"])
    result = pytester.runpytest_subprocess("-p", "trtcache", f"{options.KNOWN_GAPS}=nope.txt")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*nope.txt*"])
