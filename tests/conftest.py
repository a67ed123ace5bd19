"""The plugin's own tests. ``pytester`` drives pytest in-process or in a subprocess."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


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
