"""Hypothesis state machines: a target's runtime model-checked against the contract.

The public names, re-exported from the modules of this package (see docs/lifecycle.md).
"""

from __future__ import annotations

from pytest_trtcache.lifecycle.machine import (
    FACADE,
    HANDLE,
    KINDS,
    AtexitRecorder,
    Channel,
    Model,
    SaveRecorder,
    SubprocessChannel,
    World,
    lifecycle_machine,
    machine_for,
    machine_test_case,
)

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
