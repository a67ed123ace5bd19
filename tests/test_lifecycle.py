"""The lifecycle state machine as a maintainer uses it, and its harness."""

from __future__ import annotations

import atexit
import re

import pytest

pytest_plugins = ["pytester"]


def test_the_documented_snippet_runs_against_an_upstream_named_module(pytester: pytest.Pytester, request, monkeypatch) -> None:
    # The first python block of docs/lifecycle.md, with its module swapped for ours.
    doc = (request.config.rootpath / "docs" / "lifecycle.md").read_text()
    snippet = re.search(r"```python\n(.*?)```", doc, re.S).group(1)
    assert 'machine_test_case("module:my_pkg._runtime_cache")' in snippet, snippet
    snippet = snippet.replace("my_pkg._runtime_cache", "tests.lifecycle_fixture_module")
    monkeypatch.setenv("PYTHONPATH", str(request.config.rootpath))  # this checkout, not an installed copy
    pytester.makepyfile(test_my_cache=snippet)
    result = pytester.runpytest_subprocess("-p", "trtcache", "--trtcache-examples=5", "-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_a_mutant_fails_with_a_clause_and_a_runnable_reproduction() -> None:
    from hypothesis import settings
    from hypothesis.stateful import run_state_machine_as_test

    from pytest_trtcache.lifecycle import machine_for

    machine = machine_for("mutant:del-keeps-token", kinds=("facade",))
    with pytest.raises(AssertionError) as info:
        run_state_machine_as_test(machine, settings=settings(max_examples=200, stateful_step_count=30, deadline=None, database=None, derandomize=True))
    message = str(info.value)
    assert message.startswith("[A3] runtime python"), message
    setup = re.search(r"reproduce with: (.*)", message).group(1)
    steps = "\n".join(line for line in info.value.__notes__ if line.startswith(("state", "facades_", "handles_")) or " = state." in line)
    assert "state = LifecycleMachine()" in steps
    # The printed program, run as it is, fails the same way.
    with pytest.raises(AssertionError, match=r"^\[A3\]"):
        exec(setup + "\n" + steps, {})


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
    from hypothesis.stateful import run_state_machine_as_test

    from pytest_trtcache.plugin import profiles
    from pytest_trtcache.lifecycle import machine_for

    from hypothesis.errors import FlakyFailure

    profiles.register()
    ci = settings(settings.get_profile(profiles.CI), phases=[Phase.explicit, Phase.generate])
    with pytest.raises((AssertionError, FlakyFailure)) as info:
        run_state_machine_as_test(machine_for(f"mutant:{mutant}"), settings=ci)
    # A race (S5's savers, H3's threads) need not lose again when hypothesis replays it:
    # then the failure it found comes wrapped in a FlakyFailure.
    found = list(info.value.exceptions) if isinstance(info.value, FlakyFailure) else [info.value]
    assert any(isinstance(e, AssertionError) and re.match(r"\[[A-Z]\d+\] runtime python", str(e)) for e in found), info.value


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
