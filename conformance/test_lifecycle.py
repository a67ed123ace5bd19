"""The lifecycle state machines (``pytest_trtcache/lifecycle/``) in each runtime.

Three machines. Two check the *required* clauses only, so that an extension or security
finding cannot stop them half way (a run stops at its first failure): the
:class:`HandleMachine` and the :class:`FacadeMachine`. The :class:`HostileWorldMachine`
checks every clause, in the hostile world too. Every assertion inside names its own clause
(a ``ClauseViolation`` of its clause's own type), so a failure says which clause broke
even when it is not the test's tag, and each violated clause is its own hypothesis bug,
shrunk on its own: the test fails on a clause its level gates on before one it does not
(a required one first), and lists the others in the report's user properties
(``trtcache_also_violated``), so that an extension finding never hides a required one. Settings: the run's profile (``--trtcache-profile``, ``--trtcache-examples``),
passed to each run; ``--trtcache-lifecycle-cross`` makes the hostile-world run a
:class:`CrossProcessMachine` (C1, C2 across processes).
"""

from __future__ import annotations

import builtins
import importlib
from typing import Any

import pytest

from pytest_trtcache.contract import spec
from pytest_trtcache.contract.verdict import ClauseViolation
from pytest_trtcache.lifecycle import CrossProcessMachine, FacadeMachine, HandleMachine, HostileWorldMachine, machine_for, run_machine
from pytest_trtcache.plugin.known_gaps import known_gaps_for
from pytest_trtcache.plugin.profiles import settings_for

# A builtin from 3.11; hypothesis depends on the exceptiongroup backport before that.
ExceptionGroups = getattr(builtins, "BaseExceptionGroup", None) or importlib.import_module("exceptiongroup").BaseExceptionGroup

NOT_REQUIRED = frozenset(c.id for c in spec.CLAUSES if c.level != "required")

# The clauses each machine checks; the marker's clause is the first (the one most of its
# rules exercise). HOSTILE_ONLY are required clauses whose bugs only the hostile world
# reaches (an autosave retried after a failed save breaks A4 there): ``checks=`` lets
# --trtcache-clause (selfcheck) select the machine by them, while the gate, the known gaps
# and the report go by the marker's clause alone. Listing every clause there would run the
# three machines for every clause selected.
HANDLE_CLAUSES = ("H5", "H1", "H2", "H3", "H4", "H6", "A2", "A5")
FACADE_CLAUSES = ("A4", "A1", "A2", "A3", "A5", "A6", "A7", "A8", "F1", "F2", "S1", "S2", "S3", "W1", "W2", "H1", "H2", "H5")
HOSTILE_ONLY = ("A4",)
HOSTILE_CLAUSES = ("S4", "H8", "H9", "A9", "S5", "S6", "X1", "X2", *HANDLE_CLAUSES, *FACADE_CLAUSES)


def _run(runtime, request, tmp_path_factory, machine, unchecked=frozenset()) -> None:
    if machine is HostileWorldMachine and request.config.getoption("trtcache_lifecycle_cross"):
        machine = CrossProcessMachine
    bound = machine_for(
        runtime,
        machine=machine,
        # Each send is a fork of this run's warm server (plugin/children.py).
        channel=request.getfixturevalue("trtcache_channel") if machine is CrossProcessMachine else None,
        skip_clauses=known_gaps_for(request.config, runtime.id),
        unchecked=unchecked,
        tmp_dir_factory=lambda: str(tmp_path_factory.mktemp("lifecycle")),
    )
    # Each violated clause is its own bug (lifecycle/violations.py), shrunk on its own; a
    # known gap's test stops at its first violation, unshrunk.
    profile = settings_for(request.node)
    try:
        log = run_machine(bound, profile)
    except ExceptionGroups as found:
        raise _verdict(found, request) from None
    for what in sorted(log.not_observed.values()):
        request.node.user_properties.append(("trtcache_not_observed", what))
    if log.not_observed:
        # The machine ran; say what it could not see instead of passing silently.
        request.node.warn(pytest.PytestWarning("lifecycle machine, not observed: " + "; ".join(sorted(log.not_observed.values()))))


def _verdict(found: Any, request) -> BaseException:
    """The one finding the test fails on: a clause the level gates on before one it does
    not, a required clause before the others; every other finding, each with its own
    shrunk example, goes to the report's user properties."""
    violations = [e for e in found.exceptions if isinstance(e, ClauseViolation)]
    if len(violations) < len(found.exceptions):
        return found  # something else broke too: show all of it
    levels = request.config.getoption("trtcache_level")

    def rank(v: ClauseViolation) -> tuple[bool, bool, str]:
        level = spec.get(v.clause).level
        return (levels is not None and level not in levels, level != "required", v.clause)

    chosen, *others = sorted(violations, key=rank)
    shown = {chosen.clause}
    for other in others:
        if other.clause in shown:
            continue  # another origin of a clause already shown
        shown.add(other.clause)
        request.node.user_properties.append(("trtcache_also_violated", {**other.record(), "example": list(getattr(other, "__notes__", []))}))
    return chosen


@pytest.mark.clause(HANDLE_CLAUSES[0])
def test_handle_lifecycle_matches_the_model(runtime, request, tmp_path_factory):
    _run(runtime, request, tmp_path_factory, HandleMachine, unchecked=NOT_REQUIRED)


@pytest.mark.clause(FACADE_CLAUSES[0])
def test_facade_lifecycle_and_autosave_match_the_model(runtime, request, tmp_path_factory):
    _run(runtime, request, tmp_path_factory, FacadeMachine, unchecked=NOT_REQUIRED)


@pytest.mark.clause(HOSTILE_CLAUSES[0], checks=HOSTILE_ONLY)
def test_lifecycle_in_a_hostile_world_matches_the_model(runtime, request, tmp_path_factory):
    _run(runtime, request, tmp_path_factory, HostileWorldMachine)
