"""A lifecycle machine's shrink, bounded by test calls (a budget per failure).

Hypothesis bounds its shrink phase by time only (five minutes per run). A lifecycle
step may write files, wait on a file lock, run threads or send an object to a child, and
unbounded a failing machine spends that whole bound shrinking, per failing machine. Here
each failure's shrink stops after :data:`SHRINK_CALLS` machine runs: the shrinker stops
as it does when it stalls (hypothesis's ``StopShrinking``), keeps the smallest failing
example found so far and prints it as usual. A count, not a clock: under the
derandomized ``trtcache-ci`` profile the printed example does not depend on the load.
A step that waits for real (``concurrent_saves``: four threads queuing on the target's
file lock, some 125 ms where a whole machine run takes a few) charges the runs it is
worth (:func:`charge`), so a shrink that keeps replaying it stops sooner.

Only the search is bounded, never what is checked: generation (the examples run, the
clauses compared, the search past the first failure for other clauses) is the
profile's, and every failure generation finds is reported; only how small its printed
example gets is bounded (a failure that an unbounded shrink meets only while shrinking
another one may go unmet: BENCHMARKS.md, "A failing run, a gapped run"). Where a hypothesis release names the shrinker's hook otherwise, nothing is
replaced and shrinking is hypothesis's own (slower, the same verdicts).
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Iterator, Optional

#: machine runs one failure's shrink may make (each failure of a run its own budget)
SHRINK_CALLS = 100

_budget: contextvars.ContextVar[Optional[int]] = contextvars.ContextVar("trtcache_shrink_calls", default=None)
#: runs' worth that costly steps charged to the shrink running now (None: no shrink)
_charged: contextvars.ContextVar[Optional[list[int]]] = contextvars.ContextVar("trtcache_shrink_charged", default=None)
_installed: list[bool] = []


def _install() -> bool:
    """Wrap the shrinker's call check once; False where this hypothesis has none."""
    if _installed:
        return _installed[0]
    try:
        from hypothesis.internal.conjecture.shrinker import Shrinker, StopShrinking
    except ImportError:
        _installed.append(False)
        return False
    original, original_shrink = getattr(Shrinker, "check_calls", None), getattr(Shrinker, "shrink", None)
    if not callable(original) or not callable(original_shrink) or not hasattr(Shrinker, "calls"):
        _installed.append(False)
        return False

    def check_calls(self: Shrinker) -> None:
        budget = _budget.get()
        if budget is not None:
            if self.calls - getattr(self, "initial_calls", 0) + (_charged.get() or [0])[0] >= budget:
                raise StopShrinking
        original(self)

    def shrink(self: Shrinker) -> None:
        token = _charged.set([0])
        try:
            original_shrink(self)
        finally:
            _charged.reset(token)

    Shrinker.check_calls = check_calls  # type: ignore[method-assign]
    Shrinker.shrink = shrink  # type: ignore[method-assign]
    _installed.append(True)
    return True


@contextlib.contextmanager
def bounded_shrink(calls: Optional[int] = SHRINK_CALLS) -> Iterator[None]:
    """Within: each failure's shrink makes at most ``calls`` test calls (None: unbounded)."""
    if calls is None or not _install():
        yield
        return
    token = _budget.set(calls)
    try:
        yield
    finally:
        _budget.reset(token)


def charge(runs: int) -> None:
    """A step that costs ``runs`` more machine runs' worth (real waits) spends them from
    the budget of the shrink it runs in; outside a shrink it costs nothing."""
    spent = _charged.get()
    if spent is not None:
        spent[0] += runs
