"""A target that lacks a part runs everything else: exactly the clauses that need the part
are not observable (targets/parts.py says which), the rest pass, and the gate names them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_trtcache.contract import spec
from pytest_trtcache.report import files
from pytest_trtcache.report.records import Outcome
from pytest_trtcache.targets.parts import PARTS
from tests._nested import PASSING_TARGET_ENV

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
# one module a part: partial_target/<module>.py deletes that name from a reference-backed module
MODULES = {PARTS[0].name: "no_handle_class", PARTS[1].name: "no_runtime_cache", PARTS[2].name: "no_wrapper", PARTS[3].name: "no_atexit_helper"}


@pytest.mark.parametrize("part", PARTS, ids=lambda p: MODULES[p.name])
def test_a_target_without_a_part_leaves_only_that_parts_clauses_unobserved(part, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    # One process, no -n: inside an xdist worker of the project's run, a nested pair of
    # workers costs two more interpreters for the same tests (46 against 32 CPU-s a run).
    env = {**os.environ, **PASSING_TARGET_ENV, "PYTHONPATH": os.pathsep.join([str(TESTS), str(REPO)])}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "trtcache", str(REPO / "conformance"), "-q", "-p", "no:cacheprovider",
         f"--trtcache-target=module:partial_target.{MODULES[part.name]}", "--trtcache-runtimes=python", f"--trtcache-report={report}"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900,
    )
    doc = files.load(str(report))
    failing = [f"{t.nodeid}: {t.message[:200]}" for t in doc.tests if t.outcome in (Outcome.FAIL, Outcome.ERROR)]
    assert failing == [], "\n".join(failing)
    assert doc.gate.unobserved_required == tuple(c.id for c in spec.CLAUSES if c.id in part.unobserved)
    assert proc.returncode == (1 if part.unobserved else 0), proc.stdout[-3000:]


def test_doctor_lists_each_missing_part_with_the_clauses_it_leaves_unobserved() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), str(REPO)])}
    out = subprocess.run([sys.executable, "-m", "pytest_trtcache.commands.cli", "doctor", "--target", "module:partial_target.no_wrapper"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert "lacks TorchTensorRTModule (the engine wrapper): required W1, W2, A8, A10 not observable" in out.stdout, out.stdout
