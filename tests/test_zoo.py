"""The suite validity bar: the reference passes, every mutant fails on its clauses.

Each target runs in its own child pytest (``pytest_trtcache.selfcheck``), two at a time.
"""

from __future__ import annotations

import pytest

from pytest_trtcache import selfcheck
from pytest_trtcache.mutants import MUTANTS, catalog  # noqa: F401  (catalog fills MUTANTS)

PYTHON_MUTANTS = [m for m in MUTANTS.values() if "python" in m.runtimes]


@pytest.fixture(scope="module")
def matrix() -> dict[str, selfcheck.KillRow]:
    return {row.mutant: row for row in selfcheck.kill_matrix(PYTHON_MUTANTS, workers=2)}


def test_the_reference_passes_the_whole_suite() -> None:
    run = selfcheck.run_suite("reference")
    assert run.tests, f"no conformance test ran:\n{run.output[-3000:]}"
    bad = [f"{t['nodeid']}: {t['outcome']}: {t['message']}" for t in run.tests if t["outcome"] not in ("passed", "skipped", "not-observable")]
    assert not bad and run.returncode == 0, "\n".join(bad) + "\n" + run.output[-3000:]
    # The python reference exposes every white-box field: nothing there may go unobserved
    # (the cpp runtime declares fewer fields, so it may).
    not_observable = [t["nodeid"] for t in run.tests if t["outcome"] == "not-observable" and t["runtime"] == "python"]
    assert not_observable == []


def test_the_kill_matrix_has_no_survivors(matrix: dict[str, selfcheck.KillRow], capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print("\n" + selfcheck.format_matrix(list(matrix.values())))
    survivors = {name: row.survivors for name, row in matrix.items() if row.survivors}
    assert survivors == {}


@pytest.mark.parametrize("name", [m.name for m in PYTHON_MUTANTS])
def test_each_mutant_is_killed_on_every_clause_it_names(matrix: dict[str, selfcheck.KillRow], name: str) -> None:
    row = matrix[name]
    if row.skipped:
        pytest.skip(f"mutant {name}: runtime unavailable: {row.skipped}")
    assert row.run is not None
    for clause in row.clauses:
        assert row.verdicts[clause] == "killed", (
            f"mutant {name} survived clause {clause}: outcomes {row.run.outcomes(clause)}\n{row.run.output[-3000:]}"
        )
