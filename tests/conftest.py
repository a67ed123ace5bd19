"""The plugin's own tests. ``pytester`` drives pytest in-process or in a subprocess."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: end to end (builds a wheel, downloads from PyPI); runs in CI, deselect locally with -m 'not slow'")


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> str:
    """A private TRTCACHE_CACHE_DIR (inherited by child processes)."""
    path = str(tmp_path / "trtcache-cache")
    monkeypatch.setenv("TRTCACHE_CACHE_DIR", path)
    return path
