"""Under -n, the tests that read one shared run (a runtime's differential machine) go to one
worker (``plugin.scheduling``); every other test goes to whichever worker is free."""

from __future__ import annotations

import os
import textwrap

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


def test_under_xdist_each_runtime_s_shared_run_is_made_on_one_worker(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("xdist")
    monkeypatch.setenv("PYTHONPATH", REPO)
    pytester.mkdir("conformance")
    (pytester.path / "conformance" / "test_differential.py").write_text(textwrap.dedent('''
        import os, pytest

        @pytest.mark.parametrize("clause", [f"E{i}" for i in range(1, 12)])
        @pytest.mark.parametrize("rt", ["python", "cpp"])
        def test_every_step_matches_the_reference(rt, clause):
            with open(f"ran-on-{rt}", "a") as f:
                f.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")

        @pytest.mark.parametrize("i", range(40))
        def test_other(i):
            with open("others-ran-on", "a") as f:
                f.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")
    '''))
    result = pytester.runpytest_subprocess("-p", "trtcache", "-n", "2", "--trtcache-allow-partial", "conformance")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    for rt in ("python", "cpp"):
        workers = (pytester.path / f"ran-on-{rt}").read_text().split()
        assert len(workers) == 11 and len(set(workers)) == 1, (rt, workers)
    assert len((pytester.path / "others-ran-on").read_text().split()) == 40


def test_a_scheduler_of_the_projects_own_comes_before_the_plugins(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """The plugin registers its scheduler when it switches on, after the conftests: without
    ``trylast`` xdist would take its answer, and this project's tests/conftest.py (test_zoo.py
    on one worker) would be ignored."""
    pytest.importorskip("xdist")
    monkeypatch.setenv("PYTHONPATH", REPO)
    pytester.makeconftest('''
        def pytest_xdist_make_scheduler(config, log):
            from pytest_trtcache.plugin.scheduling import grouping_scheduler
            return grouping_scheduler(config, log, lambda nodeid: "one group")
    ''')
    pytester.makepyfile(test_where='''
        import os, pytest

        @pytest.mark.parametrize("i", range(20))
        def test_where(i):
            with open("ran-on", "a") as f:
                f.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")
    ''')
    result = pytester.runpytest_subprocess("-p", "trtcache", "-n", "2", "--trtcache-allow-partial", "test_where.py")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    workers = (pytester.path / "ran-on").read_text().split()
    assert len(workers) == 20 and len(set(workers)) == 1, workers
