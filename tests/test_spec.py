"""The spec is the source of truth: CLAUSES.md is generated from it, and every clause
has a conformance test while every ``@clause`` marker names a known clause."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_trtcache.contract import spec
from tests.clause_coverage import clause_tests

ROOT = Path(__file__).resolve().parent.parent

# Clauses allowed to have no conformance test yet: none. The coverage test asserts this
# is exactly the set of untested clauses, so a clause added to the spec without a test
# fails here until it gets one (or is listed, with a reason, while its test is written).
PENDING: set[str] = set()


def test_clauses_md_is_generated_from_the_spec() -> None:
    assert (ROOT / "CLAUSES.md").read_text(encoding="utf-8") == spec.markdown(), "run: python -m pytest_trtcache.contract.spec > CLAUSES.md"


@pytest.fixture(scope="module")
def coverage() -> dict[str, list[str]]:
    return clause_tests(ROOT / "conformance")


def test_every_marker_names_a_known_clause(coverage: dict[str, list[str]]) -> None:
    unknown = {c: ids for c, ids in coverage.items() if c not in spec.BY_ID}
    assert unknown == {}


def test_the_untested_clauses_are_exactly_the_pending_ones(coverage: dict[str, list[str]]) -> None:
    assert PENDING <= set(spec.BY_ID), f"PENDING names unknown clauses: {sorted(PENDING - set(spec.BY_ID))}"
    untested = {c.id for c in spec.CLAUSES if not coverage.get(c.id)}
    newly_tested = sorted(PENDING - untested)
    assert not newly_tested, f"clauses now have tests; remove them from PENDING: {newly_tested}"
    assert untested == PENDING, f"clauses without a conformance test: {sorted(untested - PENDING)}"


def test_coverage_reports_markers_by_clause_including_unknown_ones(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_x.py").write_text(
        "import pytest\n"
        "@pytest.mark.clause('H1')\ndef test_a():\n    pass\n"
        "@pytest.mark.clause('Z9')\ndef test_b():\n    pass\n"
        "def test_unmarked():\n    pass\n"
    )
    got = clause_tests(suite)
    assert got == {"H1": ["suite/test_x.py::test_a"], "Z9": ["suite/test_x.py::test_b"]}
