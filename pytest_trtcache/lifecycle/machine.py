"""The lifecycle machine, and the factory that binds it to a runtime."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Optional

from hypothesis.stateful import RuleBasedStateMachine

from pytest_trtcache.lifecycle.bundles import any_object_rules
from pytest_trtcache.lifecycle.channel import Channel
from pytest_trtcache.lifecycle.cross_process_rules import CrossProcessRules
from pytest_trtcache.lifecycle.disk import _default_tmp_dir
from pytest_trtcache.lifecycle.facade_rules import FacadeRules
from pytest_trtcache.lifecycle.file_rules import FileRules
from pytest_trtcache.lifecycle.handle_rules import HandleRules
from pytest_trtcache.lifecycle.hostile_rules import HostileWorldRules
from pytest_trtcache.lifecycle.invariants import Invariants
from pytest_trtcache.lifecycle.strategies import FACADE, HANDLE, KINDS
from pytest_trtcache.targets.base import Runtime


# derandomize (the trtcache-ci profile) seeds hypothesis from the source of the machine
# class, which for the bound subclass is found by name: this statement. Editing it (the
# docstring too) changes the examples CI runs; see docs/lifecycle.md, Budgets.
class LifecycleMachine(HandleRules, FacadeRules, FileRules, HostileWorldRules, CrossProcessRules, Invariants):
    """Every rule and invariant, bound to no runtime: :func:`lifecycle_machine` makes the subclass that runs."""


_RULES_OF_KIND = {
    HANDLE: ("create_handle", "pickle_handle", "deepcopy_handle", "drop_handle"),
    FACADE: (
        "create_facade", "pickle_facade", "deepcopy_facade", "drop_facade", "save_to_file", "save_interrupted_at_every_event", "load_from_file", "stream_copy",
        "enter_runtime_cache", "runtime_cache_block", "runtime_cache_runs_kernels", "pickle_engine_wrapper", "exit_runtime_cache", "fire_atexit",
        "create_facade_in_spoiled_directory", "spoil_directory", "open_bad_cache_file", "save_past_planted_symlink", "concurrent_saves",
    ),
}


def lifecycle_machine(
    runtime: Runtime,
    *,
    tmp_dir_factory: Callable[[], str] = _default_tmp_dir,
    kinds: Iterable[str] = KINDS,
    channel: Optional[Channel] = None,
    skip_clauses: Iterable[str] = (),
    unchecked: Iterable[str] = (),
    setup: str = "",
) -> type[RuleBasedStateMachine]:
    """A state machine class checking ``runtime`` against :class:`Model`.

    ``kinds`` restricts the objects it makes (``"handle"``, ``"facade"``);
    ``channel`` enables the cross-process rule; ``skip_clauses`` are known gaps whose
    comparisons are not asserted (and are listed in ``not_observed``); ``unchecked`` are
    clauses this machine leaves to another one (not asserted, not listed: the
    conformance suite checks required clauses in one run and the rest in another, so a
    target's extension finding does not stop the check of its required contract); ``setup`` is the
    Python code that binds ``LifecycleMachine``, printed with a failure so the shrunk
    steps hypothesis prints run as they are.
    """
    kinds = tuple(kinds)
    skip, unchecked = frozenset(skip_clauses), frozenset(unchecked)
    setup = setup or f"# LifecycleMachine = lifecycle_machine(<runtime {runtime!r}>)"
    namespace: dict[str, Any] = {
        "__doc__": f"Lifecycle state machine for {runtime!r}. Setup: {setup}",
        "runtime": runtime,
        "api": runtime.api,
        # staticmethod: a plain function in a class attribute would be bound to the machine
        "channel": staticmethod(channel) if channel is not None else None,
        "tmp_dir_factory": staticmethod(tmp_dir_factory),
        "kinds": kinds,
        "skip": skip,
        "unchecked": unchecked,
        # Probes whose violation would leave the model behind, so that later steps blame a
        # clause that did hold: off when their own clause is not asserted.
        "quiet": skip | unchecked,
        "setup": setup,
        "not_observed": {},  # fresh per machine class: what this runtime did not let it see
        "steps_run": [],
    }
    # Rules on any object draw only from the bundles this machine fills.
    namespace.update(any_object_rules(LifecycleMachine, kinds))
    # A machine without handles or without facades has none of their rules at all.
    for kind, names in _RULES_OF_KIND.items():
        if kind not in kinds:
            namespace.update(dict.fromkeys(names))
    return type("LifecycleMachine", (LifecycleMachine,), namespace)
