"""Threads released at once, for the races of H3 and S5."""

from __future__ import annotations

import threading
from typing import Any, Callable

THREAD_TIMEOUT_S = 60.0


def _together(calls: list[Callable[[], Any]]) -> tuple[int, list[str]]:
    """Run ``calls`` in threads released at once by a barrier: (threads still running
    after ``THREAD_TIMEOUT_S``, the exceptions they raised)."""
    barrier, errors = threading.Barrier(len(calls)), []

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            call()
        except Exception as exc:  # returned to the caller, which names the clause
            errors.append(f"{type(exc).__name__}: {exc}")

    workers = [threading.Thread(target=run, args=(call,), daemon=True) for call in calls]
    for t in workers:
        t.start()
    for t in workers:
        t.join(THREAD_TIMEOUT_S)
    return sum(t.is_alive() for t in workers), errors
