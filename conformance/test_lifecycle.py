"""The lifecycle state machine (``pytest_trtcache/lifecycle/``) in each runtime.

One machine, three runs. Two check the *required* clauses only, so the report names a
family for each and an extension or security finding cannot stop them half way (a run
stops at its first failure): handles only (H1-H6 invariants; tagged H5, the
pickle-state clause most of its rules exercise) and facades (at-exit registry, save
counts, autosave flag, files, streams, ``runtime_cache()``: A1-A8, F1, F2, S1-S3, W1, W2;
tagged A4, exactly one save per handle). The third checks every clause, in the hostile
world too (H8, H9, A9, S4-S6, X1, X2; tagged S4). Every assertion inside names its own
clause (``[A3] ...``), so a failure says which clause broke even when it is not the tag. Settings come from the chosen profile
(``--trtcache-profile``, ``--trtcache-examples``); ``--trtcache-lifecycle-cross`` adds the
rule that sends objects to a child process (C1, C2).
"""

from __future__ import annotations

import pytest

from pytest_trtcache.contract import spec
from pytest_trtcache.lifecycle import HANDLE, FACADE, KINDS, SubprocessChannel, lifecycle_machine

NOT_REQUIRED = frozenset(c.id for c in spec.CLAUSES if c.level != "required")


def _run(runtime, request, tmp_path_factory, kinds, unchecked=frozenset()) -> None:
    from hypothesis import settings
    from hypothesis.stateful import run_state_machine_as_test

    from pytest_trtcache.plugin.profiles import settings_of

    channel = SubprocessChannel(runtime.target.spec, runtime.name) if request.config.getoption("trtcache_lifecycle_cross") else None
    machine = lifecycle_machine(
        runtime,
        skip_clauses=_known_gaps(request.config, runtime),
        tmp_dir_factory=lambda: str(tmp_path_factory.mktemp("lifecycle")),
        kinds=kinds,
        unchecked=unchecked,
        channel=channel,
        setup=(
            "from pytest_trtcache.lifecycle import machine_for; from pytest_trtcache.targets import resolve; "
            f"LifecycleMachine = machine_for(resolve({runtime.target.spec!r}).runtime({runtime.name!r}), kinds={kinds!r}, unchecked={sorted(unchecked)!r})"
        ),
    )
    # One failure, shrunk, whose message names its clause: the verdict goes to that
    # clause (spec.violated), which an ExceptionGroup of several would hide.
    run_state_machine_as_test(machine, settings=settings(settings_of(request.config), report_multiple_bugs=False))
    for what in sorted(machine.not_observed.values()):
        request.node.user_properties.append(("trtcache_not_observed", what))
    if machine.not_observed:
        # The machine ran; say what it could not see instead of passing silently.
        request.node.warn(pytest.PytestWarning("lifecycle machine, not observed: " + "; ".join(sorted(machine.not_observed.values()))))


def _known_gaps(config, runtime) -> frozenset[str]:
    """Clauses the known-gaps file lists for this runtime: the machine still compares them
    but does not stop on them, so it goes on checking every other clause."""
    from pytest_trtcache.plugin.known_gaps import parse

    path = config.getoption("trtcache_known_gaps")
    return frozenset(g.clause for g in parse(path) if g.runtime in (None, runtime.id)) if path else frozenset()


@pytest.mark.clause("H5")
def test_handle_lifecycle_matches_the_model(runtime, request, tmp_path_factory):
    _run(runtime, request, tmp_path_factory, (HANDLE,), unchecked=NOT_REQUIRED)


@pytest.mark.clause("A4")
def test_facade_lifecycle_and_autosave_match_the_model(runtime, request, tmp_path_factory):
    _run(runtime, request, tmp_path_factory, (FACADE,), unchecked=NOT_REQUIRED)


@pytest.mark.clause("S4")
def test_lifecycle_in_a_hostile_world_matches_the_model(runtime, request, tmp_path_factory):
    _run(runtime, request, tmp_path_factory, KINDS)
