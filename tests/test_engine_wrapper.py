"""The harness speaks upstream torch-tensorrt 2.14.0's engine-wrapper interface
(``targets/engine_wrapper.py``): an upstream-shaped target runs with no adapter; a target
of another shape is one harness-interface usage error naming the target and what is
missing; docs/targets.md lists what the harness calls."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_trtcache.commands import selfcheck
from pytest_trtcache.report import files
from pytest_trtcache.report.records import Outcome
from pytest_trtcache.targets import engine_wrapper, resolve

TESTS = Path(__file__).resolve().parent
DOC = TESTS.parent / "docs" / "targets.md"
UPSTREAM_214 = "module:upstream_214._runtime_cache"
ENV = dict(os.environ, PYTHONPATH=str(TESTS))
#: the clauses that drive the engine wrapper (W*, A1's wrapper autosave, C1's wrapper
#: channel, the context manager's A8/A10/A12, S2's in-memory block)
WRAPPER_CLAUSES = ("W1", "W2", "A1", "A8", "A10", "A12", "C1", "S2")


def test_an_upstream_shaped_target_runs_green_with_no_adapter() -> None:
    run = selfcheck.run_suite(UPSTREAM_214, clauses=WRAPPER_CLAUSES, env=ENV)
    assert run.report.target.spec == UPSTREAM_214
    outcomes = {t.nodeid: (t.outcome, t.message) for t in run.tests}
    bad = {node: o for node, o in outcomes.items() if o[0] is not Outcome.PASS}
    assert run.returncode == 0 and bad == {}, f"{bad}\n{run.output[-3000:]}"
    ran = {t.clause for t in run.tests}
    assert set(WRAPPER_CLAUSES) <= ran, ran
    assert sum(o[0] is Outcome.PASS for o in outcomes.values()) >= 30


SHAPES = {
    "old_wrapper": r"harness_shapes\.old_wrapper.*TorchTensorRTModule: __init__'s first parameter is not 'serialized_engine' \(its parameters: name, runtime_settings\)",
    "old_settings": r"harness_shapes\.old_settings.*RuntimeSettings: has no field 'dynamic_shapes_kernel_specialization_strategy' \(its fields: dynamic_shapes_kernel_strategy, runtime_cache\)",
    "unresolved_path": r"harness_shapes\.unresolved_path.*runtime_settings\.runtime_cache is str '.*cache\.bin', not the engine-implicit RuntimeCache",
    "no_settings_property": r"harness_shapes\.no_settings_property.*has no 'runtime_settings' property",
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_wrapper_of_another_shape_is_one_harness_interface_usage_error(shape: str) -> None:
    target = f"module:harness_shapes.{shape}"
    out = subprocess.run(
        [sys.executable, "-m", "pytest_trtcache.commands.cli", "run", "--target", target, "--trtcache-clause=W1,W2,A1,C1"],
        capture_output=True, text=True, env=ENV, timeout=300,
    )
    text = out.stdout + out.stderr
    assert out.returncode == 4, text[-3000:]  # usage, not 1 (a violated clause)
    assert "harness interface" in text and target in text, text[-3000:]
    assert re.search(SHAPES[shape], text), text[-3000:]
    assert "docs/targets.md" in text
    assert not re.search(r"\b(passed|failed)\b", text), "no test may run against a target the harness cannot drive"
    doctor = subprocess.run([sys.executable, "-m", "pytest_trtcache.commands.cli", "doctor", "--target", target],
                            capture_output=True, text=True, env=ENV, timeout=300)
    assert re.search(SHAPES[shape], doctor.stdout), doctor.stdout + doctor.stderr


def test_the_check_accepts_the_reference_and_the_upstream_shaped_target(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(TESTS))
    for spec in ("reference", UPSTREAM_214):
        engine_wrapper.check(resolve(spec).runtime("python"))


def test_docs_list_exactly_what_the_harness_calls() -> None:
    """docs/targets.md's "What the harness calls" names every entry of INTERFACE, and no
    other wrapper call (each listed entry is a line of code-formatted text)."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## What the harness calls", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\* `([^`]+)`", section, flags=re.M)
    assert listed == list(engine_wrapper.INTERFACE)
    for name in ("kernel_entry", "serialized_engine=None", engine_wrapper.STRATEGY, "RuntimeSettings(runtime_cache=None)"):
        assert name in section, name


IN_TEST = """
import pytest
from pytest_trtcache.targets import engine_wrapper

@pytest.mark.clause("W2")
def test_drives_a_wrapper(runtime):
    raise engine_wrapper.HarnessInterfaceError("harness interface: vendor:python Wrapper: no 'runtime_settings' property")
"""


def test_a_harness_interface_error_inside_a_test_is_a_usage_error_not_the_clauses_failure(pytester: pytest.Pytester) -> None:
    """Where the check before the run cannot look (another runtime, a child), the error
    raised when a test drives the wrapper is an error record at step "harness
    interface" and exit 4, never a failure of the test's clause."""
    pytester.makepyfile(IN_TEST)
    result = pytester.runpytest_subprocess("-p", "trtcache", "-p", "no:cacheprovider", "--trtcache-target=module:pytest_trtcache.reference",
                                           "--trtcache-report=r.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str()
    (record,) = files.load(str(pytester.path / "r.json")).tests
    assert (record.outcome, record.step) == (Outcome.ERROR, "harness interface"), record
    assert "no 'runtime_settings' property" in record.message


def test_a_child_that_cannot_drive_the_wrapper_makes_the_pair_a_harness_interface_error(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a child the same error is carried back as data (``harness_interface``) and
    raised by the pair as a HarnessInterfaceError, not listed as the child's exception
    (which the clause would judge)."""
    from pytest_trtcache.spawn import ops
    from pytest_trtcache.spawn.pairs import PairRun, RuntimePair, step_for
    from pytest_trtcache.spawn.protocol import Observation

    monkeypatch.syspath_prepend(str(TESTS))
    runtime = resolve("module:harness_shapes.old_settings").runtime("python")
    step = step_for(runtime, "save", "wrapper-torch-save", str(tmp_path), str(tmp_path / "artifact"))
    with pytest.raises(engine_wrapper.HarnessInterfaceError, match="has no field 'dynamic_shapes_kernel_specialization_strategy'"):
        ops.save(runtime, step, Observation())
    run = PairRun(RuntimePair(runtime, runtime), "wrapper-torch-save", "a", Observation(harness_interface="harness interface: x"), Observation())
    with pytest.raises(engine_wrapper.HarnessInterfaceError, match="saver: harness interface: x"):
        run.raise_if_not_observable()
