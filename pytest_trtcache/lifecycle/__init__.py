"""Hypothesis state machines: a target's runtime model-checked against the contract.

:func:`lifecycle_machine` builds a ``RuleBasedStateMachine`` whose system under test is
one :class:`~pytest_trtcache.targets.base.Runtime` (handles and ``RuntimeCache``
facades made through the Runtime API) and whose model is :class:`Model`: per object
its state (pending / materialized / dead), its entries, its autosave flag, whether
an at-exit hook is armed, and how many saves it did; expected bytes always come from
the reference's wire format (``kernels.encode``), never from re-running the target.

While an example runs, ``atexit.register``/``atexit.unregister`` are replaced by a
private :class:`AtexitRecorder` (so the machine can fire the hooks, and none of them
runs at the real interpreter exit), the facade's ``save`` is wrapped to count saves,
and an :class:`~pytest_trtcache.contract.unraisable.UnraisableRecorder` catches leaks. Every
assertion names its clause (``[A4] ...``). Observations a runtime does not expose are
skipped and collected in ``Machine.not_observed``.

Use it from a test file (see docs/lifecycle.md)::

    from pytest_trtcache.lifecycle import machine_test_case
    TestMyCache = machine_test_case("module:my_pkg._runtime_cache")
"""

from __future__ import annotations

from pytest_trtcache.lifecycle.channel import Channel, SubprocessChannel
from pytest_trtcache.lifecycle.for_maintainers import machine_for, machine_test_case
from pytest_trtcache.lifecycle.machine import lifecycle_machine
from pytest_trtcache.lifecycle.model import Model, World
from pytest_trtcache.lifecycle.recorders import AtexitRecorder, SaveRecorder
from pytest_trtcache.lifecycle.strategies import FACADE, HANDLE, KINDS

__all__ = [
    "FACADE",
    "HANDLE",
    "KINDS",
    "AtexitRecorder",
    "Channel",
    "Model",
    "SaveRecorder",
    "SubprocessChannel",
    "World",
    "lifecycle_machine",
    "machine_for",
    "machine_test_case",
]
