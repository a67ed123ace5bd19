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

import importlib
from typing import Any

# Loaded on first use (PEP 562): the plugin imports lifecycle.profiles when it switches
# on, and that must not import torch through the machines (``trtcache bench``'s
# plugin-load figure).
_EXPORTS = {
    "AtexitRecorder": "pytest_trtcache.contract.recorders",
    "SaveRecorder": "pytest_trtcache.contract.recorders",
    "MachineBase": "pytest_trtcache.lifecycle.base",
    "RunLog": "pytest_trtcache.lifecycle.base",
    "Channel": "pytest_trtcache.lifecycle.cross_process_rules",
    "CrossProcessMachine": "pytest_trtcache.lifecycle.machines",
    "FacadeMachine": "pytest_trtcache.lifecycle.machines",
    "HandleMachine": "pytest_trtcache.lifecycle.machines",
    "HostileWorldMachine": "pytest_trtcache.lifecycle.machines",
    "machine_for": "pytest_trtcache.lifecycle.machines",
    "machine_test_case": "pytest_trtcache.lifecycle.machines",
    "Model": "pytest_trtcache.lifecycle.model",
    "World": "pytest_trtcache.lifecycle.model",
    "dev_settings": "pytest_trtcache.lifecycle.runner",
    "run_machine": "pytest_trtcache.lifecycle.runner",
    "FACADE": "pytest_trtcache.lifecycle.strategies",
    "HANDLE": "pytest_trtcache.lifecycle.strategies",
    "KINDS": "pytest_trtcache.lifecycle.strategies",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


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
