"""Every clause-tagged test has a deadline (``--trtcache-test-timeout``, default 600 s).

A conformance suite runs code nobody here wrote: a lock that is never released or a read
that never returns must not hold a run for ever. Past its deadline a test fails on its
own clause, naming the step it was in (the ``check`` fixture's current step), with the
Python stack where it hung; the fixtures that started children kill them at teardown.

The deadline is a ``SIGALRM`` timer armed in each of setup, call and teardown (setup and
call share the deadline; teardown, which kills children, gets at least a minute), never
between them, so it cannot fire inside pytest's own reporting. The handler runs in the
main thread: a blocked ``lock.acquire()`` or ``read()`` there is interrupted by the
signal and the handler raises in its place. A timer and handler someone else armed (such as
pytest-timeout's signal method) are put back afterwards. Where ``SIGALRM`` does not
exist the deadline is not enforced, and the report header says so.
"""

from __future__ import annotations

import signal
import time
import traceback
from types import FrameType
from typing import Any, Optional

import pytest

from pytest_trtcache.contract.verdict import ClauseViolation
from pytest_trtcache.plugin.gates import clauses_of, runtime_of

DEFAULT_S = 600.0
SUPPORTED = hasattr(signal, "SIGALRM") and hasattr(signal, "setitimer")
_DEADLINE_KEY = pytest.StashKey[float]()  # monotonic time the test must end by


class DeadlineExceeded(ClauseViolation):
    """A test ran past its deadline; its clause is the test's own."""


def _seconds(config: pytest.Config) -> float:
    return float(getattr(config.option, "trtcache_test_timeout", None) or DEFAULT_S)


def _step_of(item: pytest.Item) -> str:
    check = getattr(item, "funcargs", {}).get("check")
    step = getattr(check, "current_step", None)
    return f"{step} (in the test {item.name})" if step else f"the test {item.name}"


TEARDOWN_GRACE_S = 60.0  # teardown kills children and closes files even past the deadline


class _Timer:
    """SIGALRM armed for one phase; someone else's handler and timer put back after it."""

    def __init__(self, item: pytest.Item, clauses: tuple[str, ...], seconds: float, limit: float) -> None:
        self.item, self.clauses, self.seconds, self.limit = item, clauses, max(seconds, 1e-3), limit

    def expired(self, signum: int, frame: Optional[FrameType]) -> None:
        stack = "".join(traceback.format_stack(frame)[-12:]) if frame is not None else ""
        raise DeadlineExceeded(
            self.clauses, f"the test ran past its deadline of {self.limit:g} s (--trtcache-test-timeout); it was still running at:\n{stack}",
            runtime=runtime_of(self.item), step=_step_of(self.item),
        )

    def __enter__(self) -> None:
        self.started = time.monotonic()
        self.previous_handler = signal.signal(signal.SIGALRM, self.expired)
        self.previous_timer = signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: Any) -> None:
        if signal.getsignal(signal.SIGALRM) != self.expired:
            return  # armed by someone else during the phase (a fixture): theirs now, timer too
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.previous_handler)
        left, interval = self.previous_timer
        if left:  # re-armed with what is left of it
            signal.setitimer(signal.ITIMER_REAL, max(left - (time.monotonic() - self.started), 1e-3), interval)


def _phase(item: pytest.Item, when: str) -> Any:
    clauses = clauses_of(item)
    if not SUPPORTED or not clauses:
        return None
    limit = _seconds(item.config)
    if when == "setup":
        item.stash[_DEADLINE_KEY] = time.monotonic() + limit
    left = item.stash.get(_DEADLINE_KEY, time.monotonic() + limit) - time.monotonic()
    if when == "teardown":
        left = max(left, TEARDOWN_GRACE_S)
    return _Timer(item, clauses, left, limit)


def _guarded(item: pytest.Item, when: str) -> Any:
    timer = _phase(item, when)
    if timer is None:
        return (yield)
    with timer:
        return (yield)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> Any:
    return (yield from _guarded(item, "setup"))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    return (yield from _guarded(item, "call"))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: Optional[pytest.Item]) -> Any:
    return (yield from _guarded(item, "teardown"))


def pytest_report_header(config: pytest.Config) -> list[str]:
    if SUPPORTED:
        return [f"trtcache: every clause-tagged test has a deadline of {_seconds(config):g} s"]
    return ["trtcache: test deadlines are NOT enforced on this platform (no SIGALRM)"]
