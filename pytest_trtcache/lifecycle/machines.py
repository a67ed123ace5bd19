"""The named machines, composed by inheritance, each a class a user binds and runs::

    class TestMine(HostileWorldMachine):
        target = "module:my_pkg._runtime_cache"

    TestMyCache = TestMine.TestCase

A machine has the rules of its mixins and no others: a facade rule draws from
``facades``, which only a machine with facade rules fills.

For maintainers' test files, :func:`machine_for` and :func:`machine_test_case` bind a
named machine to a target spec or a Runtime, as a class or as a ``unittest.TestCase``:
the same as a one-line subclass, made by a call.
"""

from __future__ import annotations

import unittest
from typing import Any, Callable, Iterable, Optional, Union

from hypothesis import settings as Settings

from pytest_trtcache.lifecycle.base import MachineBase
from pytest_trtcache.lifecycle.cross_process_rules import Channel, CrossProcessRules
from pytest_trtcache.lifecycle.facade_rules import FacadeRules
from pytest_trtcache.lifecycle.file_rules import FileRules
from pytest_trtcache.lifecycle.handle_rules import HandleRules
from pytest_trtcache.lifecycle.hostile_rules import HostileWorldRules
from pytest_trtcache.lifecycle.invariants import Invariants
from pytest_trtcache.lifecycle.object_rules import ObjectRules
from pytest_trtcache.lifecycle.runner import Runnable
from pytest_trtcache.lifecycle.strategies import FACADE, HANDLE, KINDS
from pytest_trtcache.targets.base import Runtime


class HandleMachine(HandleRules, ObjectRules, Invariants, Runnable):
    """Handles: created, deserialized, materialized, serialized, pickled, copied, dropped."""


class FacadeMachine(FacadeRules, FileRules, ObjectRules, Invariants, Runnable):
    """Facades: their autosave and at-exit hooks, files, streams, ``runtime_cache()``."""


class HostileWorldMachine(HostileWorldRules, HandleMachine, FacadeMachine):
    """Handles and facades, in a world of spoiled directories, bad cache files, planted
    symlinks and concurrent savers."""


class CrossProcessMachine(CrossProcessRules, HostileWorldMachine):
    """The hostile world, and objects sent to a child process through ``channel``."""


_BY_KINDS = {(HANDLE,): HandleMachine, (FACADE,): FacadeMachine, KINDS: HostileWorldMachine}


def machine_for(
    target: Union[str, Runtime],
    runtime_name: str = "python",
    *,
    machine: Optional[type[MachineBase]] = None,
    kinds: Iterable[str] = KINDS,
    channel: Optional[Channel] = None,
    skip_clauses: Iterable[str] = (),
    unchecked: Iterable[str] = (),
    tmp_dir_factory: Optional[Callable[[], str]] = None,
) -> type[MachineBase]:
    """``machine`` (by default the named machine of ``kinds``, or :class:`CrossProcessMachine`
    with a ``channel``) bound to a target spec (``"module:pkg.mod"``) or a Runtime.

    ``skip_clauses`` are known gaps (compared, not asserted, listed in the run's log);
    ``unchecked`` are clauses left to another machine (not asserted, not listed).
    """
    if machine is None:
        machine = CrossProcessMachine if channel is not None else _BY_KINDS[tuple(sorted(kinds, key=KINDS.index))]
    attrs: dict[str, Any] = {"skip": frozenset(skip_clauses), "unchecked": frozenset(unchecked)}
    if isinstance(target, str):
        attrs.update(target=target, runtime_name=runtime_name)
    else:
        attrs["runtime"] = target
    if channel is not None:
        attrs["channel"] = staticmethod(channel)  # a plain function would be bound to the machine
    if tmp_dir_factory is not None:
        attrs["tmp_dir_factory"] = staticmethod(tmp_dir_factory)
    return type(machine.__name__, (machine,), attrs)


def machine_test_case(target: Union[str, Runtime], runtime_name: str = "python", settings: Optional[Settings] = None, **kwargs: Any) -> type[unittest.TestCase]:
    """A ``unittest.TestCase`` running :func:`machine_for`'s machine; ``settings`` defaults
    to the trtcache-dev profile."""
    case = machine_for(target, runtime_name, **kwargs).TestCase
    if settings is not None:
        case.settings = settings
    return case
