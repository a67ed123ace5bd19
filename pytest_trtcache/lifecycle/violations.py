"""A :class:`ClauseViolation` type per clause, so that hypothesis tells findings apart.

Hypothesis counts two failures as one bug when they share an exception type and the line
that raised it; every clause's check raises from the same line of ``Check``. Raised as
``H8Violation``, ``A4Violation``, ..., each violated clause is its own bug: with
``report_multiple_bugs`` hypothesis shrinks an example for each, and a finding of one
clause does not hide another's.
"""

from __future__ import annotations

import functools
from typing import Any

from pytest_trtcache.contract.check import Check
from pytest_trtcache.contract.verdict import ClauseViolation


@functools.lru_cache(maxsize=None)
def violation_of(clause: str) -> type[ClauseViolation]:
    """The subclass of :class:`ClauseViolation` for ``clause`` (one class per clause)."""
    return type(f"{clause}Violation", (ClauseViolation,), {"__module__": __name__})


class ClauseCheck(Check):
    """A :class:`Check` whose violations are of their clause's own type."""

    def violation(self, message: str, **fields: Any) -> ClauseViolation:
        found = super().violation(message, **fields)
        found.__class__ = violation_of(found.clause)
        return found
