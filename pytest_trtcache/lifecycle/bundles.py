"""The machine's bundles: the handles and the facades it made, and either.

A rule on a facade draws from ``facades``, so it cannot run in a machine that makes no
facade; a rule on any object draws from ``objects``: hypothesis draws from whichever of
the two bundles is filled (an empty branch of a ``one_of`` of bundles is skipped). Such a
rule also takes the precondition :func:`made_any`: hypothesis only skips a rule while a
bundle it draws from directly is empty, and a draw from two empty ones is a filtered
example (enough of them fail a health check).
"""

from __future__ import annotations

from typing import Any

from hypothesis.stateful import Bundle
from hypothesis.strategies import SearchStrategy

handles: Bundle[str] = Bundle("handles")
facades: Bundle[str] = Bundle("facades")
objects: SearchStrategy[str] = handles | facades


def made_any(machine: Any) -> bool:
    """Whether ``objects`` has something to draw."""
    return bool(machine.bundle(handles.name) or machine.bundle(facades.name))
