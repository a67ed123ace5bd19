"""Clause-named comparisons: every failure says clause, runtime, step, expected, observed.

A conformance test gets a :class:`Check` from the ``check`` fixture, bound to the
test's clause and runtime (or runtime pair); ``check.step("...")`` names what the
test is doing, and ``check.equal(what, observed, expected)`` raises an
``AssertionError`` that reads as a verdict.
"""

from __future__ import annotations

import contextlib
import hashlib
from typing import Any, Iterator, Optional


def describe(value: Any) -> str:
    """A readable rendering; long byte strings as size + digest + head."""
    if isinstance(value, (bytes, bytearray)):
        if len(value) <= 24:
            return f"{bytes(value)!r}"
        digest = hashlib.sha256(value).hexdigest()[:12]
        return f"<{len(value)} bytes sha256:{digest} head {bytes(value[:12]).hex()}>"
    return repr(value)


class Check:
    def __init__(self, clause: str, runtime: Optional[str]) -> None:
        self.clause = clause
        self.runtime = runtime
        self.current_step = "test body"
        self.child_stderr: Optional[str] = None

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        previous, self.current_step = self.current_step, name
        try:
            yield
        finally:
            self.current_step = previous

    def fail(self, message: str) -> None:
        raise AssertionError(self.verdict(message))

    def verdict(self, message: str) -> str:
        where = f"runtime {self.runtime}" if self.runtime else "no runtime"
        text = f"[{self.clause}] {where}, step '{self.current_step}': {message}"
        if self.child_stderr:
            text += f"\n--- child stderr ---\n{self.child_stderr.rstrip()}"
        return text

    def equal(self, what: str, observed: Any, expected: Any) -> None:
        if observed != expected:
            self.fail(f"{what}: expected {describe(expected)}, observed {describe(observed)}")

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
