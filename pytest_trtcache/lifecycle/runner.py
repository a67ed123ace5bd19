"""Running a bound machine: its settings, its seed, and the log its examples share."""

from __future__ import annotations

import functools
import unittest
from typing import Optional

from hypothesis import seed
from hypothesis import settings as Settings
from hypothesis.stateful import run_state_machine_as_test

from pytest_trtcache.lifecycle.base import MachineBase, RunLog
from pytest_trtcache.lifecycle.shrink_budget import SHRINK_CALLS, bounded_shrink


def dev_settings() -> Settings:
    """The trtcache-dev profile's settings (made, not registered: this runs inside
    running machines, where hypothesis deprecates registering a profile)."""
    from pytest_trtcache.lifecycle import profiles

    return profiles.make(profiles.DEV)


def run_machine(machine: type[MachineBase], settings: Settings, log: Optional[RunLog] = None, shrink_calls: Optional[int] = SHRINK_CALLS) -> RunLog:
    """Run ``machine`` as a test under ``settings``; returns the run's log.

    Each failure's shrink makes at most ``shrink_calls`` machine runs
    (:mod:`~pytest_trtcache.lifecycle.shrink_budget`; ``None``: hypothesis's own bound).

    A derandomized run (the trtcache-ci profile) starts from ``machine.ci_seed``: left to
    itself, hypothesis would seed it from the source of the code it runs, so that editing
    a class statement or a docstring would change the examples CI runs.
    """
    log = log if log is not None else RunLog()

    def factory() -> MachineBase:
        return machine(log)

    with bounded_shrink(shrink_calls):
        run_state_machine_as_test(seed(machine.ci_seed)(factory) if settings.derandomize else factory, settings=settings)
    return log


@functools.lru_cache(maxsize=None)
def unittest_case(machine: type[MachineBase]) -> type[unittest.TestCase]:
    """A ``unittest.TestCase`` running ``machine``; its ``settings`` attribute (default:
    the trtcache-dev profile) may be replaced, as hypothesis's own ``Machine.TestCase``'s."""

    class MachineTestCase(unittest.TestCase):
        settings = dev_settings()

        def runTest(self) -> None:
            run_machine(machine, self.settings)

    MachineTestCase.__name__ = machine.__name__ + ".TestCase"
    MachineTestCase.__qualname__ = machine.__qualname__ + ".TestCase"
    return MachineTestCase


class _TestCaseOf:
    def __get__(self, instance: object, owner: type[MachineBase]) -> type[unittest.TestCase]:
        return unittest_case(owner)


class Runnable(MachineBase):
    """``Machine.TestCase`` runs the machine through :func:`run_machine` (its log, its CI seed)."""

    TestCase = _TestCaseOf()
