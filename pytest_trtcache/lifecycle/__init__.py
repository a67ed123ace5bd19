"""Hypothesis state machines: a target's runtime model-checked against the contract.

The named machines (:mod:`~pytest_trtcache.lifecycle.machines`) are composed by
inheritance: :class:`HandleMachine` (handles), :class:`FacadeMachine` (facades, autosave,
files, streams, ``runtime_cache()``), :class:`HostileWorldMachine` (both, in a hostile
world) and :class:`CrossProcessMachine` (and objects sent to a child process). The system
under test is one :class:`~pytest_trtcache.targets.base.Runtime`, bound by a subclass; the
model is :class:`Model`, whose expected bytes come from the reference's wire format
(``kernels.encode``), never from re-running the target.

While an example runs, ``atexit.register``/``atexit.unregister`` are replaced by a private
:class:`AtexitRecorder`, the facade's ``save`` is wrapped to count saves, and an
:class:`~pytest_trtcache.contract.unraisable.UnraisableRecorder` catches leaks. Every
assertion raises a :class:`~pytest_trtcache.contract.verdict.ClauseViolation` naming its
clause. What a runtime does not let the machine observe goes to the run's :class:`RunLog`.

Use it from a test file (see docs/lifecycle.md)::

    from pytest_trtcache.lifecycle import HostileWorldMachine

    class MyCache(HostileWorldMachine):
        target = "module:my_pkg._runtime_cache"

    TestMyCache = MyCache.TestCase
"""

from __future__ import annotations

from pytest_trtcache.contract.recorders import AtexitRecorder, SaveRecorder
from pytest_trtcache.lifecycle.base import MachineBase, RunLog
from pytest_trtcache.lifecycle.cross_process_rules import Channel
from pytest_trtcache.lifecycle.machines import CrossProcessMachine, FacadeMachine, HandleMachine, HostileWorldMachine, machine_for, machine_test_case
from pytest_trtcache.lifecycle.model import Model, World
from pytest_trtcache.lifecycle.runner import dev_settings, run_machine
from pytest_trtcache.lifecycle.strategies import FACADE, HANDLE, KINDS

__all__ = [
    "FACADE",
    "HANDLE",
    "KINDS",
    "AtexitRecorder",
    "Channel",
    "CrossProcessMachine",
    "FacadeMachine",
    "HandleMachine",
    "HostileWorldMachine",
    "MachineBase",
    "Model",
    "RunLog",
    "SaveRecorder",
    "World",
    "dev_settings",
    "machine_for",
    "machine_test_case",
    "run_machine",
]
