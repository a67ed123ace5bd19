"""A failing machine's shrink: bounded in machine runs, where a step with real waits
charges the runs it is worth."""

from __future__ import annotations

import re

import pytest
from hypothesis import Phase, settings
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from pytest_trtcache.lifecycle import hostile_rules, machine_for, profiles, run_machine
from pytest_trtcache.lifecycle.shrink_budget import bounded_shrink, charge
from pytest_trtcache.lifecycle.violations import violation_of

INVARIANTS = ("nothing_reached_unraisablehook", "objects_match_the_model", "one_atexit_hook_per_live_autosaving_facade", "saves_match_the_model")


def _shrink_runs(charged: int) -> tuple[int, int]:
    """(machine runs, runs of the costly step) a toy machine's shrink makes with a
    budget of 30 runs, the costly step charging ``charged`` more."""
    runs = {"all": 0, "costly": 0}

    class Machine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            runs["all"] += 1
            self.steps = 0

        @rule()
        def costly(self) -> None:
            runs["costly"] += 1
            charge(charged)

        @rule()
        def step(self) -> None:
            self.steps += 1
            if self.steps >= 6:
                raise violation_of("A4")("A4", "the sixth plain step")

    with bounded_shrink(30), pytest.raises(violation_of("A4")):
        run_state_machine_as_test(Machine, settings=settings(max_examples=200, database=None, derandomize=True, stateful_step_count=40,
                                                             phases=[Phase.generate, Phase.shrink]))
    return runs["all"], runs["costly"]


def test_a_costly_step_spends_the_runs_it_charges_from_the_shrinks_budget() -> None:
    free_runs, free_costly = _shrink_runs(0)
    charged_runs, charged_costly = _shrink_runs(9)
    assert free_costly > 0, "the shrink replays the costly step (else this test shows nothing)"
    assert charged_costly < free_costly and charged_runs < free_runs, ((free_runs, free_costly), (charged_runs, charged_costly))


def test_charging_outside_a_shrink_costs_nothing() -> None:
    charge(1000)  # no shrink running: nothing to spend, nothing raised


def test_charging_the_concurrent_savers_changes_how_far_a_shrink_goes_never_what_it_reports(monkeypatch) -> None:
    """The same derandomized hostile-world run of a zoo mutant, with the savers' charge
    and without: the same findings, each with a printed example of at most a dozen steps."""

    def findings() -> dict[str, int]:
        with pytest.raises(Exception) as found:
            run_machine(machine_for("mutant:double-save", "python"), profiles.make(profiles.CI))
        group = getattr(found.value, "exceptions", None) or [found.value]
        steps = {}
        for f in group:
            printed = "\n".join(getattr(f, "__notes__", []))
            steps[type(f).__name__] = sum(1 for line in printed.splitlines() if re.match(r"(\w+ = )?state\.(?!teardown)", line.strip())
                                          and not any(inv in line for inv in INVARIANTS))
        return steps

    charged = findings()
    monkeypatch.setattr(hostile_rules, "CONCURRENT_SAVES_RUNS", 0)
    free = findings()
    assert set(charged) == set(free) and len(charged) >= 2, (charged, free)
    assert all(0 < n <= 12 for n in charged.values()), charged
