"""Clause-named comparisons: every failure says clause, runtime, step, expected, observed.

A conformance test gets a :class:`Check` from the ``check`` fixture, bound to the
test's clause(s) and runtime (or runtime pair); ``check.step("...")`` names what the
test is doing, ``check.on("H6")`` which of several clauses the checks inside are
about, and ``check.equal(what, observed, expected)`` raises a
:class:`~pytest_trtcache.contract.verdict.ClauseViolation` carrying all of it.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator, Optional, Union

from pytest_trtcache.contract.verdict import ClauseViolation, describe

__all__ = ["Check", "ClauseViolation", "describe"]


class Check:
    def __init__(self, clause: Union[str, tuple[str, ...]], runtime: Optional[str], reproduce: Optional[str] = None) -> None:
        self.clauses = (clause,) if isinstance(clause, str) else tuple(clause)
        self.runtime = runtime
        self.current_step = "test body"
        self.child_stderr: Optional[str] = None
        self.reproduce = reproduce  # code that replays the failure, shown with it

    @property
    def clause(self) -> str:
        return self.clauses[0]

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        previous, self.current_step = self.current_step, name
        try:
            yield
        finally:
            self.current_step = previous

    @contextlib.contextmanager
    def on(self, clause: str) -> Iterator[None]:
        """Inside, a failure names ``clause`` first: a test of several clauses says which broke."""
        previous = self.clauses
        self.clauses = (clause, *(c for c in previous if c != clause))
        try:
            yield
        finally:
            self.clauses = previous

    def violation(self, message: str, **fields: Any) -> ClauseViolation:
        return ClauseViolation(
            self.clauses, message, runtime=self.runtime, step=self.current_step,
            child_stderr=self.child_stderr, reproduce=self.reproduce, **fields,
        )

    def fail(self, message: str) -> None:
        raise self.violation(message)

    def equal(self, what: str, observed: Any, expected: Any) -> None:
        if observed != expected:
            raise self.violation(what, expected=expected, observed=observed, compared=True)

    def true(self, what: str, condition: bool, observed: Any = None) -> None:
        if not condition:
            suffix = f" (observed {describe(observed)})" if observed is not None else ""
            self.fail(f"expected {what}{suffix}")

    @contextlib.contextmanager
    def no_exception(self, what: str) -> Iterator[None]:
        try:
            yield
        except AssertionError:
            raise
        except Exception as exc:
            self.fail(f"{what}: expected no exception, observed {type(exc).__name__}: {exc}")
