"""Under -n, the tests that read one shared run (a runtime's differential machine) go to one
worker (``plugin.scheduling``); every other test goes to whichever worker is free."""

from __future__ import annotations

import os
import textwrap
from typing import Callable

import pytest

from pytest_trtcache.plugin.scheduling import prefix_key, pytest_xdist_make_scheduler, shared_run_key

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIFFERENTIAL = "conformance/test_differential.py::test_every_step_matches_the_reference"


@pytest.mark.parametrize("where", ["", "../lib/site-packages/pytest_trtcache/"])
def test_a_runtime_s_differential_tests_are_one_group_wherever_the_suite_lives(where: str) -> None:
    keys = {shared_run_key(f"{where}{DIFFERENTIAL}[{runtime}-E{i}]") for runtime in ("python", "cpp") for i in range(1, 12)}
    assert keys == {f"{where}{DIFFERENTIAL}[python", f"{where}{DIFFERENTIAL}[cpp"}


def test_every_other_test_is_a_group_of_its_own() -> None:
    for nodeid in ("conformance/test_lifecycle.py::test_handle_lifecycle_matches_the_model[python]",
                   "my_conformance/test_differential.py::test_every_step_matches_the_reference[python-E1]"):
        assert shared_run_key(nodeid) == nodeid
    key = prefix_key(["tests/test_zoo.py::"])
    assert key("tests/test_zoo.py::test_a[x]") == key("tests/test_zoo.py::test_b") == "tests/test_zoo.py::"
    assert key("tests/test_spawn.py::test_a") == "tests/test_spawn.py::test_a"


def test_a_run_that_chose_another_distribution_keeps_it() -> None:
    class Config:
        def getoption(self, name: str, default: object = None) -> object:
            return "loadfile"

    assert pytest_xdist_make_scheduler(Config(), None) is None  # type: ignore[arg-type]


# Prepended to each generated test file: a test records the xdist worker it ran on.
RAN_ON = '''
import os, pytest

def ran_on(name):
    with open(name, "a") as f:
        f.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")
'''


def _workers_of(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *args: str) -> Callable[[str], list[str]]:
    """Run ``pytest -p trtcache -n 2 ARGS`` in a subprocess; the workers each record names."""
    pytest.importorskip("xdist")
    monkeypatch.setenv("PYTHONPATH", REPO)
    result = pytester.runpytest_subprocess("-p", "trtcache", "-n", "2", "--trtcache-allow-partial", *args)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    return lambda name: (pytester.path / name).read_text().split()


def test_under_xdist_each_runtime_s_shared_run_is_made_on_one_worker(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.mkdir("conformance")
    (pytester.path / "conformance" / "test_differential.py").write_text(RAN_ON + textwrap.dedent('''
        @pytest.mark.parametrize("clause", [f"E{i}" for i in range(1, 12)])
        @pytest.mark.parametrize("rt", ["python", "cpp"])
        def test_every_step_matches_the_reference(rt, clause):
            ran_on(f"ran-on-{rt}")

        @pytest.mark.parametrize("i", range(40))
        def test_other(i):
            ran_on("others-ran-on")
    '''))
    workers = _workers_of(pytester, monkeypatch, "conformance")
    for rt in ("python", "cpp"):
        assert len(workers(f"ran-on-{rt}")) == 11 and len(set(workers(f"ran-on-{rt}"))) == 1, (rt, workers(f"ran-on-{rt}"))
    assert len(workers("others-ran-on")) == 40


def test_a_scheduler_of_the_projects_own_comes_before_the_plugins(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """The plugin registers its scheduler when it switches on, after the conftests: without
    ``trylast`` xdist would take its answer, and this project's tests/conftest.py (test_zoo.py
    on one worker) would be ignored."""
    pytester.makeconftest('''
        def pytest_xdist_make_scheduler(config, log):
            from pytest_trtcache.plugin.scheduling import grouping_scheduler
            return grouping_scheduler(config, log, lambda nodeid: "one group")
    ''')
    (pytester.path / "test_where.py").write_text(RAN_ON + textwrap.dedent('''
        @pytest.mark.parametrize("i", range(20))
        def test_where(i):
            ran_on("ran-on")
    '''))
    ran_on = _workers_of(pytester, monkeypatch, "test_where.py")("ran-on")
    assert len(ran_on) == 20 and len(set(ran_on)) == 1, ran_on
