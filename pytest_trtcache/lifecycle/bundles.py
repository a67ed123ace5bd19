"""The machine's two bundles, and the rules that draw their object from either of them.

A rule on any object (``deserialize``, ``materialize``, ...) must draw ``obj`` only from
the bundles its machine fills: drawing from an always-empty bundle is filtered, and
enough filtering fails a health check. So such a rule is written unbound, marked with
:func:`on_any_object`, and :func:`any_object_rules` makes it a rule of each bound machine.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, TypeVar

from hypothesis.stateful import Bundle, rule
from hypothesis.strategies import SearchStrategy

from pytest_trtcache.lifecycle.strategies import HANDLE

handles: Bundle[str] = Bundle("handles")
facades: Bundle[str] = Bundle("facades")

# The attribute of a rule on any object that holds the strategies of its other arguments.
_OTHER_ARGUMENTS = "trtcache_lifecycle_any_object"

F = TypeVar("F", bound=Callable[..., Any])


def on_any_object(**strategies: SearchStrategy[Any]) -> Callable[[F], F]:
    """Mark a rule whose ``obj`` is a handle or a facade; ``strategies`` draw its other
    arguments. A ``@precondition`` above the mark stays with the rule (``rule()`` keeps it)."""

    def mark(func: F) -> F:
        setattr(func, _OTHER_ARGUMENTS, strategies)
        return func

    return mark


def objects_of(kinds: tuple[str, ...]) -> SearchStrategy[str]:
    """The bundles a machine making ``kinds`` fills."""
    return handles | facades if len(kinds) == 2 else (handles if HANDLE in kinds else facades)


def any_object_rules(machine: type, kinds: tuple[str, ...]) -> dict[str, Callable[..., Any]]:
    """The marked methods of ``machine`` made rules drawing from the bundles of ``kinds``, by name."""
    objs = objects_of(kinds)
    return {
        name: rule(obj=objs, **getattr(func, _OTHER_ARGUMENTS))(func)
        for name, func in inspect.getmembers(machine)
        if hasattr(func, _OTHER_ARGUMENTS)
    }
