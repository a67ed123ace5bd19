"""The named machines, composed by inheritance, each a class a user binds and runs::

    class TestMine(HostileWorldMachine):
        target = "module:my_pkg._runtime_cache"

    TestMyCache = TestMine.TestCase

A machine has the rules of its mixins and no others: a facade rule draws from
``facades``, which only a machine with facade rules fills.
"""

from __future__ import annotations

from pytest_trtcache.lifecycle.cross_process_rules import CrossProcessRules
from pytest_trtcache.lifecycle.facade_rules import FacadeRules
from pytest_trtcache.lifecycle.file_rules import FileRules
from pytest_trtcache.lifecycle.handle_rules import HandleRules
from pytest_trtcache.lifecycle.hostile_rules import HostileWorldRules
from pytest_trtcache.lifecycle.invariants import Invariants
from pytest_trtcache.lifecycle.object_rules import ObjectRules
from pytest_trtcache.lifecycle.runner import Runnable


class HandleMachine(HandleRules, ObjectRules, Invariants, Runnable):
    """Handles: created, deserialized, materialized, serialized, pickled, copied, dropped."""


class FacadeMachine(FacadeRules, FileRules, ObjectRules, Invariants, Runnable):
    """Facades: their autosave and at-exit hooks, files, streams, ``runtime_cache()``."""


class HostileWorldMachine(HostileWorldRules, HandleMachine, FacadeMachine):
    """Handles and facades, in a world of spoiled directories, bad cache files, planted
    symlinks and concurrent savers."""


class CrossProcessMachine(CrossProcessRules, HostileWorldMachine):
    """The hostile world, and objects sent to a child process through ``channel``."""
