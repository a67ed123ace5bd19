"""The conformance suite: run with ``pytest -p trtcache conformance/``.

Every test is tagged ``@pytest.mark.clause(ID)`` and takes the ``runtime`` fixture (or
a pair); expected values come from the reference model (``reference/kernels.py``),
never from re-running the target.
"""

from __future__ import annotations

import gc

import pytest

from .spies import AtexitSpy


@pytest.fixture
def atexit_spy(monkeypatch: pytest.MonkeyPatch) -> AtexitSpy:
    """``atexit.register``/``unregister`` recorded into a fake registry for this test."""
    return AtexitSpy().install(monkeypatch)


def pytest_configure(config: pytest.Config) -> None:
    # The unraisable guard and the autosave tests run gc.collect() several times per
    # test; with torch imported each full collection walks ~10^6 objects (~0.2 s).
    # Freezing what exists after the heavy imports leaves only the test's own objects
    # (facades, handles) to collect: the same verdicts, a fraction of the time.
    import torch  # noqa: F401

    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def _only_the_tests_objects_are_young() -> None:
    """Freeze again before each test what is alive then (what earlier tests and the session
    left: runtimes, hypothesis, reports). The previous test's garbage was collected when
    its guard closed, so the guard's collections here walk only this test's objects:
    each would otherwise walk everything the session made so far (~0.1 s a test)."""
    gc.collect()
    gc.freeze()
