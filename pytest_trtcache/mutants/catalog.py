"""Every mutant in the zoo, one entry each: name, clauses it violates, origin."""

from . import Mutant, register

register(Mutant(
    name="handle-pickles-lock",
    clauses=("H5", "H6"),
    origin="PR #4368 (torch-tensorrt <= 2.13.0): python handle had no __getstate__",
    description="python handle pickled by default __dict__ walk: TypeError on _thread.lock",
))

# Lifecycle paths (found by the lifecycle state machine, pytest_trtcache/lifecycle.py).
register(Mutant(
    name="lifecycle-deserialize-drops-pending",
    clauses=("H1",),
    origin="plausible",
    description="deserialize() before materialization drops the bytes instead of stashing them",
))
register(Mutant(
    name="lifecycle-rematerialize",
    clauses=("H2",),
    origin="plausible",
    description="ensure_materialized() creates a fresh live cache on every call, losing entries",
))
register(Mutant(
    name="lifecycle-del-keeps-atexit-token",
    clauses=("A3",),
    origin="PR #4362 (in part): __del__ without atexit.unregister",
    description="__del__ autosaves but leaves its at-exit hook registered: dead entries accumulate",
))
register(Mutant(
    name="lifecycle-double-save",
    clauses=("A4",),
    origin="PR #4362 (in part): autosave without flipping autosave_on_del",
    description="the at-exit hook and __del__ both save: two saves per handle",
))
