"""The plugin's own tests. ``pytester`` drives pytest in-process or in a subprocess."""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["pytester"]


def pytest_configure(config: pytest.Config) -> None:
    # pytester points HOME at a temp dir, which moves the per-user cache: every pytester
    # child would build the C++ runtime again (~12 s each). Pin it where it is; a test
    # that wants a private cache sets its own (the cache_dir fixture).
    from pytest_trtcache.cachedir import ENV, cache_dir

    os.environ.setdefault(ENV, cache_dir(create=False))
    # Under -n, tests that read one long shared run (the selfcheck fixture) go to one
    # worker (xdist_group, below): with plain load scheduling the other worker takes some
    # of them and sits on the fixture's lock for the whole run instead of testing.
    if getattr(config.option, "dist", "no") == "load":
        config.option.dist = "loadgroup"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "selfcheck" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("selfcheck"))


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
