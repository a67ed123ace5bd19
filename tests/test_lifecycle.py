"""The lifecycle state machine as a maintainer uses it, and its harness."""

from __future__ import annotations

import atexit
import inspect
import re

import pytest

pytest_plugins = ["pytester"]


def _python_block(text: str) -> str:
    return re.search(r"```python\n(.*?)```", text, re.S).group(1)


def test_the_documented_snippet_runs_against_an_upstream_named_module(pytester: pytest.Pytester, request, monkeypatch) -> None:
    # The first python block of docs/lifecycle.md, its module swapped for ours.
    root = request.config.rootpath
    snippet = _python_block((root / "docs" / "lifecycle.md").read_text())
    assert 'target = "module:my_pkg._runtime_cache"' in snippet, snippet
    snippet = snippet.replace("my_pkg._runtime_cache", "tests.lifecycle_fixture_module")
    snippet += "\nfrom hypothesis import settings\nTestMyCache.settings = settings(max_examples=5, deadline=None, database=None)\n"
    monkeypatch.setenv("PYTHONPATH", str(root))  # this checkout, not an installed copy
    pytester.makepyfile(test_my_cache=snippet)
    result = pytester.runpytest_subprocess("-p", "trtcache", "-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_machine_test_case_binds_a_named_machine_with_the_dev_profile() -> None:
    from pytest_trtcache.lifecycle import FacadeMachine, machine_test_case
    from pytest_trtcache.plugin import profiles

    case = machine_test_case("module:tests.lifecycle_fixture_module", kinds=("facade",))
    assert case.settings.max_examples == profiles.BUDGETS[profiles.DEV][0]
    assert case.__name__ == "FacadeMachine.TestCase"


def test_a_mutant_fails_with_a_clause_and_a_runnable_reproduction() -> None:
    from hypothesis import settings

    from pytest_trtcache.contract.verdict import ClauseViolation
    from pytest_trtcache.lifecycle import machine_for, run_machine

    machine = machine_for("mutant:del-keeps-token", kinds=("facade",))
    with pytest.raises(ClauseViolation) as info:
        run_machine(machine, settings(max_examples=200, stateful_step_count=30, deadline=None, database=None, derandomize=True))
    assert str(info.value).startswith("[A3] runtime python"), info.value
    binding = info.value.reproduce
    assert binding.startswith("from pytest_trtcache.lifecycle.machines import FacadeMachine\nclass FacadeMachine(FacadeMachine): target = 'mutant:del-keeps-token'"), binding
    steps = "\n".join(line for line in info.value.__notes__ if line.startswith(("state", "facades_", "handles_")) or " = state." in line)
    assert "state = FacadeMachine()" in steps
    # The printed program, run as it is, fails the same way.
    with pytest.raises(ClauseViolation, match=r"^\[A3\]"):
        exec(binding + "\n" + steps, {})


def _rules(machine: type) -> list:
    # hypothesis keeps a rule on its method under this marker (what RuleBasedStateMachine reads)
    return [getattr(f, "hypothesis_stateful_rule") for _, f in inspect.getmembers(machine) if hasattr(f, "hypothesis_stateful_rule")]


def _drawn_bundles(strategy) -> list[list[str]]:
    """The bundles an argument draws from, as alternatives (a one_of of bundles: any one)."""
    from hypothesis.stateful import Bundle

    if isinstance(strategy, Bundle):
        return [[strategy.name]]
    names = [b.name for b in getattr(strategy, "original_strategies", ()) if isinstance(b, Bundle)]
    return [names] if names else []


@pytest.mark.parametrize("name", ["HandleMachine", "FacadeMachine", "HostileWorldMachine", "CrossProcessMachine"])
def test_every_rule_of_a_machine_draws_from_bundles_that_machine_fills(name: str) -> None:
    from pytest_trtcache import lifecycle

    rules = _rules(getattr(lifecycle, name))
    filled = {getattr(t, "name", t) for r in rules for t in r.targets}  # names, or Bundles
    starved = [
        f"{r.function.__name__}({arg}) draws from {names}"
        for r in rules
        for arg, strategy in r.arguments.items()
        for names in _drawn_bundles(strategy)
        if not filled.intersection(names)
    ]
    assert not starved, f"{name} fills only {sorted(filled)}: {starved}"


def test_a_handle_machine_has_no_facade_rule_and_a_facade_machine_no_handle_rule() -> None:
    from pytest_trtcache.lifecycle import FacadeMachine, HandleMachine

    def modules(machine: type) -> set[str]:
        return {r.function.__module__.rsplit(".", 1)[1] for r in _rules(machine)}

    assert modules(HandleMachine) == {"handle_rules", "object_rules"}
    assert modules(FacadeMachine) == {"facade_rules", "file_rules", "object_rules"}
    assert {r.function.__name__ for r in _rules(HandleMachine)}.isdisjoint(r.function.__name__ for r in _rules(FacadeMachine) if r.function.__module__.endswith(("facade_rules", "file_rules")))


def test_a_derandomized_run_does_not_depend_on_the_class_statement() -> None:
    from hypothesis import settings

    from pytest_trtcache.lifecycle import HandleMachine, run_machine

    class Bound(HandleMachine):
        """Any docstring: the CI seed is the machine's ci_seed, not its source."""

        target = "reference"

    class Other(HandleMachine):
        target = "reference"

    ci = settings(max_examples=4, stateful_step_count=10, derandomize=True, database=None, deadline=None)
    assert run_machine(Bound, ci).steps_run == run_machine(Other, ci).steps_run


def test_the_machine_logs_what_it_did_not_observe_on_the_log_it_is_given() -> None:
    from hypothesis import settings

    from pytest_trtcache.lifecycle import HandleMachine, RunLog, run_machine

    class Bound(HandleMachine):
        target = "reference"

    log = RunLog()
    assert run_machine(Bound, settings(max_examples=3, stateful_step_count=5, database=None, deadline=None), log) is log
    assert len(log.steps_run) >= 3 and not hasattr(Bound, "not_observed")


# One mutant per hostile-world rule: the trtcache-ci profile's deterministic search (no
# shrinking: finding is the claim) must fail each. The whole zoo, with examples-to-find over
# seeds, is ci/lifecycle_power.py (run on purpose; table in docs/lifecycle.md).
HOSTILE_WORLD_MUTANTS = [
    "autosave-fails-silently",  # A9: spoiled directory, autosave
    "cm-reraises-save-error",  # A8: runtime_cache() left by the user's error, save failing
    "corrupt-cache-silent-cold-start",  # S6: bad cache files
    "del-reads-token",  # A7: deepcopy crashing half way
    "deserialize-reinterprets-dtype",  # H8: other dtypes
    "deserialize-empty-clears",  # H4: empty tensors
    "materialize-without-lock",  # H3: threads
    "save-follows-temp-symlink",  # X1: planted symlinks
    "save-leaves-temp-on-error",  # S4: interrupted saves
    "save-without-lock",  # S5: concurrent savers
    "trusts-shared-directory",  # X2: world-writable directory
    "wrapper-pickles-settings",  # W1: the engine pickled inside runtime_cache()
]


@pytest.mark.parametrize("mutant", HOSTILE_WORLD_MUTANTS)
def test_the_ci_profile_finds_each_hostile_world_mutant(mutant: str) -> None:
    from hypothesis import Phase, settings
    from hypothesis.errors import FlakyFailure

    from pytest_trtcache.lifecycle import machine_for, run_machine
    from pytest_trtcache.plugin import profiles

    profiles.register()
    ci = settings(settings.get_profile(profiles.CI), phases=[Phase.explicit, Phase.generate])
    with pytest.raises((AssertionError, FlakyFailure)) as info:
        run_machine(machine_for(f"mutant:{mutant}"), ci)
    # A race (S5's savers, H3's threads) need not lose again when hypothesis replays it:
    # then the failure it found comes wrapped in a FlakyFailure.
    found = list(info.value.exceptions) if isinstance(info.value, FlakyFailure) else [info.value]
    assert any(isinstance(e, AssertionError) and re.match(r"\[[A-Z]\d+\] runtime python", str(e)) for e in found), info.value


def test_an_extension_finding_does_not_hide_a_required_one_deeper_in_the_hostile_world() -> None:
    # H8 is met anywhere, A4 only after an autosave into a broken directory: each clause is
    # its own bug (lifecycle/violations.py), so hypothesis goes on past H8 and finds A4.
    from hypothesis import settings

    from pytest_trtcache.lifecycle import dev_settings, machine_for, run_machine

    dev = settings(dev_settings(), report_multiple_bugs=True, database=None, derandomize=True)
    with pytest.raises(BaseExceptionGroup) as info:
        run_machine(machine_for("mutant:reinterprets-dtype-and-retries-autosave"), dev)
    assert {type(e).__name__ for e in info.value.exceptions} >= {"H8Violation", "A4Violation"}, info.value.exceptions


def test_the_machine_leaves_the_real_atexit_registry_alone() -> None:
    from hypothesis import settings
    from hypothesis.stateful import run_state_machine_as_test

    from pytest_trtcache.lifecycle import machine_for

    before = atexit._ncallbacks()
    register = atexit.register
    run_state_machine_as_test(machine_for("reference", kinds=("facade",)), settings=settings(max_examples=10, deadline=None, database=None))
    assert atexit.register is register
    assert atexit._ncallbacks() == before


def test_the_atexit_recorder_fires_last_registered_first_and_empties() -> None:
    from pytest_trtcache.lifecycle import AtexitRecorder

    calls: list[int] = []
    with AtexitRecorder() as rec:
        atexit.register(calls.append, 1)
        atexit.register(calls.append, 2)
        token = atexit.register(lambda: calls.append(3))
        atexit.unregister(token)
        rec.fire()
    assert calls == [2, 1] and rec.hooks == []


@pytest.mark.parametrize("value", ["0", "-3", "x"])
def test_examples_option_rejects_non_positive_values(value: str) -> None:
    import argparse

    from pytest_trtcache.plugin.options import positive_int

    with pytest.raises(argparse.ArgumentTypeError, match=re.escape(repr(value))):
        positive_int(value)


def test_profile_option_rejects_unknown_profiles() -> None:
    import argparse

    from pytest_trtcache.plugin.options import profile_name

    with pytest.raises(argparse.ArgumentTypeError, match="trtcache-ci"):
        profile_name("trtcache-fast")
    assert profile_name("trtcache-ci") == "trtcache-ci"
