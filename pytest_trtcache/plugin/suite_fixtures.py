"""The conformance suite's harness fixtures: the at-exit registry, save counting, and the
garbage collector tuned for the suite's many collections.

Registered by ``plugin.hooks.pytest_configure`` once the plugin is in use; the suite's
files hold clause specifications only.
"""

from __future__ import annotations

import contextlib
import gc
from typing import Callable, Iterator, Optional

import pytest

from pytest_trtcache.contract.recorders import AtexitRecorder, SaveRecorder
from pytest_trtcache.targets import Runtime


@pytest.fixture
def atexit_spy() -> Iterator[AtexitRecorder]:
    """``atexit.register``/``unregister`` recorded into a private registry for this test."""
    with AtexitRecorder() as recorder:
        yield recorder


@pytest.fixture
def save_counter(runtime: Runtime) -> Iterator[Callable[..., SaveRecorder]]:
    """``save_counter(fail_with=None)``: counts (or fails) ``save`` of this runtime's facade
    class until the test ends."""
    with contextlib.ExitStack() as recorders:

        def make(fail_with: Optional[BaseException] = None) -> SaveRecorder:
            return recorders.enter_context(SaveRecorder(runtime.api.RuntimeCache, fail_with=fail_with))

        yield make


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Freeze, before each clause test, what is alive then (the heavy imports, what earlier
    tests and the session left: runtimes, hypothesis, reports). The unraisable guard and
    the autosave tests run gc.collect() several times a test; with torch imported each
    full collection would walk ~10^6 objects (~0.2 s). Frozen, they walk only this
    test's own objects (facades, handles): the same verdicts, a fraction of the time."""
    if item.get_closest_marker("clause") is not None:
        gc.collect()
        gc.freeze()
