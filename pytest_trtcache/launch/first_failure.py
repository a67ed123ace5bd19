"""A pytest plugin for a child run whose question is only *which clauses fail*: ``trtcache
selfcheck`` loads it (``-p pytest_trtcache.launch.first_failure``) into each mutant's child,
``trtcache mutate`` into each mutant's run, and ``tests/test_verdicts.py`` passes it to
``trtcache verdicts``.

It leaves out hypothesis's shrinking and nothing else. The settings are the run's own
(every phase, the profile's budget, ``report_multiple_bugs``), so generation is the same
as in a full run: the same examples in the same order (derandomized under
``trtcache-ci``), and the same search past the first failure for the other clauses a
machine violates (hypothesis goes on generating while shrinking is among the phases). Each
failure found is then raised as it was found, unshrunk: a test fails, on the same verdict
clause, exactly when it does with shrinking, and the run does not pay for the shrink (each
step of a lifecycle machine may spawn a child or wait on a lock).

Two departures from a full run, both on the side of finding more: the search past the
first failure is bounded by test calls only (hypothesis also stops it 10 s after the first
failure, which on a loaded machine cut it short before a second clause's failure turned
up), and a failure that a full run finds only while shrinking another is not found here.
``selfcheck`` therefore takes a kill from this run as it is (the test failed on that
clause's violation) and measures a mutant that survives a clause here again with a full
run, whose verdict stands.

Hypothesis has no setting for "search, but do not shrink" (without ``Phase.shrink`` it
stops at the first failure), so the runner's shrink step is replaced. Where a hypothesis
release names that step otherwise, nothing is replaced and the child shrinks as usual:
slower, with the same verdicts.
"""

from __future__ import annotations

import math
import time
from typing import Any

import pytest

#: the runner's shrink step, by hypothesis release (newest first)
SHRINK_STEPS = ("shrink_interesting_test_cases", "shrink_interesting_examples")


def _keep_as_found(runner: object) -> None:
    """In place of the shrink step: every failure stays the example that found it."""


def skip_shrinking() -> str:
    """Replace the runner's shrink step; the name replaced, or "" where none is known."""
    from hypothesis.internal.conjecture.engine import ConjectureRunner

    for name in SHRINK_STEPS:
        if callable(getattr(ConjectureRunner, name, None)):
            setattr(ConjectureRunner, name, _keep_as_found)
            return name
    return ""


def search_by_calls() -> bool:
    """Take the clock out of the search past the first failure (its call bounds stay)."""
    from hypothesis.internal.conjecture.engine import ConjectureRunner

    original = getattr(ConjectureRunner, "should_generate_more", None)
    if not callable(original) or getattr(original, "_trtcache_by_calls", False):
        return False

    def should_generate_more(self: Any) -> bool:
        if getattr(self, "first_bug_found_time", math.inf) != math.inf:
            self.first_bug_found_time = time.monotonic()  # never "10 s since the first failure"
        return original(self)

    should_generate_more._trtcache_by_calls = True  # type: ignore[attr-defined]
    ConjectureRunner.should_generate_more = should_generate_more
    return True


def pytest_configure(config: pytest.Config) -> None:
    skip_shrinking()
    search_by_calls()
