"""SIGINT and SIGTERM while a command waits for its child pytest runs.

:func:`forwarding_signals` installs handlers that pass the signal on to the process
group of every child pytest still running (each runs in its own session, so a
terminal's Ctrl-C reaches only us), then let the waits return; the launcher then
raises :class:`Interrupted`, so ``with`` blocks remove their temp dirs on the way out,
and ``cli.main`` turns it into one line and exit 128 + signal number.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Any, Iterator, Optional

from pytest_trtcache.spawn.groups import group_alive, kill_group

#: how long a child pytest may take to tear down after the signal before it is killed
GRACE_S = 60.0
SIGNALS = (signal.SIGINT, signal.SIGTERM)

_lock = threading.Lock()
_live: set[Any] = set()
_received: list[int] = []


class Interrupted(BaseException):
    """A forwarded signal ended the run (a ``BaseException``, like ``KeyboardInterrupt``:
    no ``except Exception`` on the way up may swallow it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


def raise_if_interrupted() -> None:
    if _received:
        raise Interrupted(_received[0])


def register(proc: Any) -> None:
    """Forward signals to ``proc``'s group (anything with a ``pid``: a ``Popen``, a forked child)."""
    with _lock:
        _live.add(proc)
    if _received:  # the signal came while it started
        kill_group(proc.pid, _received[0])


def unregister(proc: Any) -> None:
    with _lock:
        _live.discard(proc)


def _forward(signum: int, frame: Any) -> None:
    _received.append(signum)
    with _lock:
        live = list(_live)
    if not live:
        raise Interrupted(signum)
    for proc in live:
        kill_group(proc.pid, signum)
    timer = threading.Timer(GRACE_S, lambda: [kill_group(p.pid, signal.SIGKILL) for p in live])
    timer.daemon = True
    timer.start()


@contextlib.contextmanager
def forwarding_signals() -> Iterator[None]:
    """Forward SIGINT and SIGTERM to the live child pytest runs for the block."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Optional[Any]] = {sig: signal.signal(sig, _forward) for sig in SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _received.clear()
