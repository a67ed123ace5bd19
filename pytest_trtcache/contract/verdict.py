"""A verdict as data: the exception a broken clause raises, and its JSON record.

A :class:`ClauseViolation` carries its clause (or clauses), the runtime or runtime
pair, the step, and what was expected against what was observed; the plugin turns it
into one report record (:meth:`ClauseViolation.record`) and never parses its text back.
Its ``str()`` is the readable verdict pytest prints::

    [H5] runtime cpp, step 'pickle round trip of a pending handle': serialize(): expected <45 bytes ...>, observed b''
"""

from __future__ import annotations

import hashlib
from typing import Any, Optional, Union


def describe(value: Any) -> str:
    """A readable rendering; long byte strings as size + digest + head."""
    if isinstance(value, (bytes, bytearray)):
        if len(value) <= 24:
            return f"{bytes(value)!r}"
        digest = hashlib.sha256(value).hexdigest()[:12]
        return f"<{len(value)} bytes sha256:{digest} head {bytes(value[:12]).hex()}>"
    return repr(value)


class ClauseViolation(AssertionError):
    """A clause did not hold. ``clauses[0]`` is the clause that broke; a test that checks
    several names them all. ``expected``/``observed`` are kept as given (rendered with
    :func:`describe` only when shown); ``message`` says what was compared, or the whole
    finding when there is no expected value."""

    def __init__(
        self,
        clauses: Union[str, tuple[str, ...]],
        message: str,
        *,
        runtime: Optional[str] = None,
        step: str = "test body",
        expected: Any = None,
        observed: Any = None,
        compared: bool = False,
        child_stderr: Optional[str] = None,
        reproduce: Optional[str] = None,
    ) -> None:
        self.clauses: tuple[str, ...] = (clauses,) if isinstance(clauses, str) else tuple(clauses)
        if not self.clauses:
            raise ValueError("a ClauseViolation names at least one clause")
        self.message, self.runtime, self.step = message, runtime, step
        self.expected, self.observed, self.compared = expected, observed, compared
        self.child_stderr, self.reproduce = child_stderr, reproduce
        super().__init__(self.text())

    @property
    def clause(self) -> str:
        return self.clauses[0]

    def finding(self) -> str:
        """What broke, without where: ``what: expected E, observed O``."""
        if self.compared:
            return f"{self.message}: expected {describe(self.expected)}, observed {describe(self.observed)}"
        return self.message

    def headline(self) -> str:
        where = f"runtime {self.runtime}" if self.runtime else "no runtime"
        return f"[{self.clause}] {where}, step '{self.step}': {self.finding()}"

    def text(self) -> str:
        text = self.headline()
        if self.child_stderr and self.child_stderr.strip():
            text += f"\n--- child stderr ---\n{self.child_stderr.rstrip()}"
        if self.reproduce:
            text += f"\nreproduce with: {self.reproduce}"
        return text

    def __str__(self) -> str:
        return self.text()

    def __reduce__(self) -> Any:  # picklable (xdist, multiprocessing), keyword arguments included
        return (_rebuild, (self.clauses, self.message, self.record_fields()))

    def record_fields(self) -> dict[str, Any]:
        return dict(
            runtime=self.runtime, step=self.step, expected=self.expected, observed=self.observed,
            compared=self.compared, child_stderr=self.child_stderr, reproduce=self.reproduce,
        )

    def record(self) -> dict[str, Any]:
        """The JSON-able verdict (values rendered with :func:`describe`)."""
        return {
            "clause": self.clause,
            "clauses": list(self.clauses),
            "runtime": self.runtime,
            "step": self.step,
            "message": self.finding(),
            "expected": describe(self.expected) if self.compared else None,
            "observed": describe(self.observed) if self.compared else None,
            "child_stderr": self.child_stderr or None,
            "reproduce": self.reproduce,
        }


def _rebuild(clauses: tuple[str, ...], message: str, fields: dict[str, Any]) -> ClauseViolation:
    return ClauseViolation(clauses, message, **fields)
