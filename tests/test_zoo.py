"""The suite validity bar, as CI checks it: ``trtcache selfcheck`` over the whole zoo.

One run of the command (each target in its own child pytest, two at a time); the tests
below read its JSON verdicts. The module is one xdist group, so the zoo runs once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from pytest_trtcache.mutants import MUTANTS, catalog  # noqa: F401  (catalog fills MUTANTS)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pytestmark = pytest.mark.xdist_group("zoo")


@pytest.fixture(scope="module")
def selfcheck(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("selfcheck") / "verdicts.json"
    env = {**os.environ, "PYTHONPATH": REPO}
    jobs = str(max(2, (os.cpu_count() or 2) // 4))  # 2 on CI's 2 cores
    proc = subprocess.run([sys.executable, "-m", "pytest_trtcache.cli", "selfcheck", "-j", jobs, "--json", str(path)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=3600)
    assert path.exists(), f"trtcache selfcheck exited {proc.returncode} without verdicts:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    data = json.loads(path.read_text())
    data["returncode"], data["stdout"], data["stderr"] = proc.returncode, proc.stdout, proc.stderr
    return data


def test_the_reference_passes_the_whole_suite(selfcheck: dict[str, Any]) -> None:
    assert selfcheck["reference"]["problems"] == [], selfcheck["stderr"][-3000:]


def test_selfcheck_exits_zero_and_prints_the_kill_matrix(selfcheck: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print("\n" + selfcheck["stdout"])
    assert selfcheck["errors"] == []
    assert selfcheck["returncode"] == 0, selfcheck["stdout"][-3000:] + selfcheck["stderr"][-3000:]
    assert f"of {len(MUTANTS)} mutant(s) killed on every clause they name" in selfcheck["stdout"]


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_each_mutant_is_killed_on_every_clause_it_names(selfcheck: dict[str, Any], name: str) -> None:
    row = next(r for r in selfcheck["mutants"] if r["name"] == name)
    if row["skipped"]:
        pytest.skip(f"mutant {name}: runtime unavailable: {row['skipped']}")
    for clause in row["clauses"]:
        assert row["verdicts"][clause] == "killed", (
            f"mutant {name} survived clause {clause}: outcomes {row['outcomes'].get(clause)}\n{row['output_tail']}"
        )
