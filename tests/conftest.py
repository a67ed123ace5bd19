"""The plugin's own tests. ``pytester`` drives pytest in-process or in a subprocess."""

from __future__ import annotations

import importlib.util
import os

import pytest

pytest_plugins = ["pytester"]


def pytest_configure(config: pytest.Config) -> None:
    # pytester points HOME at a temp dir, which moves the per-user cache: every pytester
    # child would build the C++ runtime again (~12 s each). Pin it where it is; a test
    # that wants a private cache sets its own (the cache_dir fixture).
    from pytest_trtcache.cachedir import ENV, cache_dir

    os.environ.setdefault(ENV, cache_dir(create=False))


#: files whose tests all read one long run that a fixture makes once per session
ONE_WORKER = ("tests/test_zoo.py::",)

if importlib.util.find_spec("xdist") is not None:

    def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
        """Under -n, the tests of a ONE_WORKER file go to one worker, every other test to
        whichever worker is free: with plain load scheduling the other worker takes some
        of test_zoo.py's tests and sits on the selfcheck fixture's lock for the whole run.
        (xdist's own xdist_group mark does not group under pytest 9.2: it renames
        ``item._nodeid``, which pytest 9 no longer reads.)"""
        from pytest_trtcache.plugin.scheduling import grouping_scheduler, prefix_key

        return grouping_scheduler(config, log, prefix_key(ONE_WORKER))


# Files whose tests each run whole suites in child processes (BENCHMARKS.md has their
# cost), longest first. Under -n they start first, so the run does not end with one
# worker finishing a long test while the other has nothing left to do.
LONGEST_FIRST = ("test_zoo.py", "test_mutate.py", "test_lifecycle.py", "test_spawn.py", "test_install.py", "test_partial_targets.py",
                 "test_verdicts.py", "test_ci_recipe.py", "test_upstream_layout.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    # Stable: within a file, and among the other files, the order stays as collected.
    items.sort(key=lambda item: (rank.get(item.path.name, len(rank)), "selfcheck" not in getattr(item, "fixturenames", ())))


@pytest.fixture(autouse=True)
def _slow_only_on_purpose(request: pytest.FixtureRequest) -> None:
    """``slow`` tests are sweeps run on purpose (``-m slow``), not in the default run."""
    if request.node.get_closest_marker("slow") and "slow" not in (request.config.option.markexpr or ""):
        pytest.skip("slow: an on-purpose sweep, run with -m slow")


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> str:
    """A private TRTCACHE_CACHE_DIR (inherited by child processes)."""
    path = str(tmp_path / "trtcache-cache")
    monkeypatch.setenv("TRTCACHE_CACHE_DIR", path)
    return path


@pytest.fixture
def plugin_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Child pytest runs import this checkout, with no TRTCACHE_* variable or
    PYTEST_ADDOPTS leaking in from the shell that runs these tests."""
    from pathlib import Path

    from pytest_trtcache.plugin import options

    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parent.parent))
    for option in options.OPTIONS:
        monkeypatch.delenv(option.env, raising=False)
    monkeypatch.delenv("PYTEST_ADDOPTS", raising=False)
