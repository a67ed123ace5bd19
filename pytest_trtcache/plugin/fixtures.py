"""Core fixtures: the target, its runtimes, and the unraisable guard.

Registered by ``plugin.pytest_configure``; nothing here imports torch until a fixture
that needs a runtime runs.
"""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator

import pytest

from pytest_trtcache.contract import spec
from pytest_trtcache.contract.check import Check
from pytest_trtcache.plugin.keys import TARGET_KEY
from pytest_trtcache.targets import Runtime, RuntimeUnavailable, Target
from pytest_trtcache.contract.unraisable import UnraisableRecorder

GUARD_KEY = pytest.StashKey[UnraisableRecorder]()
GUARD_EXIT_KEY = pytest.StashKey[contextlib.ExitStack]()


@pytest.fixture(scope="session")
def trtcache_target(pytestconfig: pytest.Config) -> Target:
    """The target under test (``--trtcache-target`` / ``TRTCACHE_TARGET``)."""
    return pytestconfig.stash[TARGET_KEY]


def unavailable(runtime_id: str, reason: str) -> "pytest.skip.Exception":
    """The skip of a test whose runtime cannot run here, carrying the structured cause the
    gate counts (a declared runtime that could not run fails the run: plugin/completeness)."""
    exc = pytest.skip.Exception(f"runtime {runtime_id} unavailable: {reason}")
    exc.__cause__ = RuntimeUnavailable(reason, runtime=runtime_id)
    return exc


def selected_runtimes(config: pytest.Config, target: Target) -> list[str]:
    """The target's runtimes this run tests: all it declares, or ``--trtcache-runtimes``."""
    chosen = config.getoption("trtcache_runtimes")
    return [name for name in target.runtimes if chosen is None or name in chosen]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "runtime" in metafunc.fixturenames:
        target = metafunc.config.stash[TARGET_KEY]
        names = selected_runtimes(metafunc.config, target)
        metafunc.parametrize("runtime", names, indirect=True, ids=[target.runtimes[n].id for n in names])


@pytest.fixture
def runtime(request: pytest.FixtureRequest, trtcache_target: Target) -> Iterator[Runtime]:
    """One runtime of the target, active (the facade picks its handle) for the test."""
    rt = trtcache_target.runtime(request.param)
    reason = rt.unavailable_reason()
    if reason:
        raise unavailable(rt.id, reason)
    try:
        with rt.active():
            yield rt
    except RuntimeUnavailable as exc:
        raise unavailable(rt.id, str(exc)) from None


@pytest.fixture
def unraisable(request: pytest.FixtureRequest) -> Iterator[UnraisableRecorder]:
    """The recorder guarding this test; ``unraisable.drain()`` takes what leaked so far."""
    recorder = request.node.stash.get(GUARD_KEY, None)
    if recorder is not None:
        yield recorder
        return
    with UnraisableRecorder() as recorder:  # asked for by name at run time: no guard yet
        request.node.stash[GUARD_KEY] = recorder
        yield recorder


def clause_of(item: pytest.Item) -> "spec.Clause | None":
    marker = item.get_closest_marker("clause")
    return spec.get(marker.args[0]) if marker and marker.args else None


def _guarded(item: pytest.Item) -> bool:
    return item.get_closest_marker("clause") is not None or "unraisable" in getattr(item, "fixturenames", ())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    if _guarded(item):  # the guard spans setup, call and teardown: given back in pytest_runtest_teardown
        guard = item.stash[GUARD_EXIT_KEY] = contextlib.ExitStack()
        item.stash[GUARD_KEY] = guard.enter_context(UnraisableRecorder())
    return (yield)


def _check_leaks(item: pytest.Item, phase: str) -> None:
    from pytest_trtcache.contract.verdict import ClauseViolation
    from pytest_trtcache.plugin.gates import clauses_of, runtime_of

    recorder = item.stash.get(GUARD_KEY, None)
    if recorder is None:
        return
    leaks = recorder.drain()
    if leaks:
        # A2 broke, whatever the test checks: the verdict goes to A2, the test's own clauses listed after it.
        checking = [c for c in clauses_of(item) if c != "A2"]
        where = f"while checking {', '.join(checking)}: " if checking else ""
        raise ClauseViolation(
            ("A2", *checking),
            f"{where}expected no unraisable exception, observed {len(leaks)}:\n{recorder.format(leaks)}",
            runtime=runtime_of(item), step=f"test {phase}",
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    from pytest_trtcache.targets import NotObservable

    try:
        result = yield
    except (NotObservable, RuntimeUnavailable) as exc:
        # A skip to pytest (no --pdb stop, no -x count); the exception rides along as the
        # cause, and gates' makereport records it as data (not observed / skipped).
        raise pytest.skip.Exception(str(exc)) from exc
    _check_leaks(item, "call")
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem):
    try:
        return (yield)
    finally:
        if GUARD_KEY in item.stash:
            try:
                _check_leaks(item, "teardown")
            finally:
                # What the test left alive was just walked by the drain's collection:
                # frozen now, the guard's closing collection and the next test's
                # (suite_fixtures.pytest_runtest_setup) walk only what was made since.
                gc.freeze()
                del item.stash[GUARD_KEY]
                guard = item.stash.get(GUARD_EXIT_KEY, None)
                if guard is not None:
                    del item.stash[GUARD_EXIT_KEY]
                    guard.close()


@pytest.fixture
def check(request: pytest.FixtureRequest) -> Check:
    """A :class:`~pytest_trtcache.contract.check.Check` bound to this test's clauses and runtime."""
    from pytest_trtcache.plugin.gates import clauses_of, runtime_of

    return Check(clauses_of(request.node) or "-", runtime_of(request.node))
