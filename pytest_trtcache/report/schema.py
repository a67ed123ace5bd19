"""The report's records: one per test, one per clause x runtime pair, and the document.

A test's ``outcome`` and a cell's ``verdict`` share one vocabulary (:data:`OUTCOMES`);
a skip, a field the target does not expose, a known gap: none of them reads as ``pass``.
``schema.json`` (shipped beside this module) is the same shape as JSON Schema.
"""

from __future__ import annotations

import json
import platform
import sys
from importlib import resources
from typing import Any, Iterable, Optional

from pytest_trtcache.contract import spec

SCHEMA_VERSION = 1
TOOL = "pytest-trtcache"

PASS, FAIL, FAIL_UNGATED = "pass", "fail", "fail (not gated)"
NOT_OBSERVED, KNOWN_GAP, KNOWN_GAP_PASSED = "not observed", "known gap", "known gap passed"
SKIPPED, ERROR = "skipped", "error"
#: worst first: a test's phases, and a cell's tests, take the first that occurs
OUTCOMES = (FAIL, ERROR, KNOWN_GAP_PASSED, FAIL_UNGATED, PASS, KNOWN_GAP, NOT_OBSERVED, SKIPPED)
#: outcomes that are a finding against the target (selfcheck counts them as kills)
FAILING = (FAIL, ERROR, FAIL_UNGATED)

#: the verdict fields a ClauseViolation or NotObservable adds to a test record
DETAIL_FIELDS = ("step", "expected", "observed", "child_stderr", "reproduce", "part", "unavailable_runtime")


class ReportError(ValueError):
    """A file or value that is not a report of this schema version."""


def test_record(
    nodeid: str, clauses: Iterable[str], runtime: Optional[str], outcome: str, *,
    clause: Optional[str] = None, gated: bool = True, message: str = "", **details: Any,
) -> dict[str, Any]:
    """One test's record; ``clause`` is the clause the verdict goes to (the one that broke,
    else the test's own first clause)."""
    clauses = list(clauses)
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r} (known: {', '.join(OUTCOMES)})")
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise ValueError(f"unknown record fields {sorted(unknown)}")
    verdict_clause = clause or clauses[0]
    record: dict[str, Any] = {
        "nodeid": nodeid, "clauses": clauses, "tagged": clauses[0], "clause": verdict_clause,
        "level": spec.get(verdict_clause).level, "runtime": runtime, "outcome": outcome,
        "gated": gated, "message": message,
    }
    record.update({name: details.get(name) for name in DETAIL_FIELDS})
    return record


def worst(outcomes: Iterable[str]) -> str:
    return min(outcomes, key=OUTCOMES.index)


def cell(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The verdict of one clause x runtime pair over its tests: the worst finding; else
    ``pass`` when any test saw the clause hold (``passed`` of ``tests`` says how many)."""
    outcomes = [r["outcome"] for r in records]
    return {"verdict": worst(outcomes), "tests": len(outcomes), "passed": outcomes.count(PASS)}


def clause_cells(tests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per clause x runtime pair, in the spec's clause order, runtimes as first seen."""
    grouped: dict[tuple[str, Optional[str]], list[dict[str, Any]]] = {}
    for record in tests:
        grouped.setdefault((record["clause"], record["runtime"]), []).append(record)
    order = {c.id: i for i, c in enumerate(spec.CLAUSES)}
    cells = []
    for (clause_id, runtime), records in sorted(grouped.items(), key=lambda kv: order[kv[0][0]]):
        cells.append({"clause": clause_id, "level": spec.get(clause_id).level, "runtime": runtime, **cell(records)})
    return cells


def document(
    *, target: dict[str, str], versions: dict[str, str], spawner: str, levels_gated: Iterable[str],
    tests: Iterable[dict[str, Any]], tool_version: str, gate: Optional[dict[str, Any]] = None,
) -> dict[str, Any]:
    tests = sorted(tests, key=lambda r: r["nodeid"])
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL, "version": tool_version},
        "target": target, "versions": versions, "spawner": spawner,
        "levels_gated": sorted(levels_gated),
        "python": platform.python_version(), "platform": sys.platform,
        "tests": tests, "clauses": clause_cells(tests),
    }
    if gate is not None:
        doc["gate"] = gate
    return doc


def json_schema() -> dict[str, Any]:
    return json.loads(resources.files(__package__).joinpath("schema.json").read_text(encoding="utf-8"))


def validate(doc: Any) -> dict[str, Any]:
    """``doc`` if it is a report of this schema version, else :class:`ReportError` (one line)."""
    if not isinstance(doc, dict):
        raise ReportError(f"not a report: a JSON {type(doc).__name__}, expected an object")
    version = doc.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ReportError(f"not a report of schema version {SCHEMA_VERSION}: schema_version is {version!r}")
    try:
        import jsonschema
    except ImportError:  # a runtime dependency-free install: the version check above stands
        if not isinstance(doc.get("tests"), list) or not isinstance(doc.get("clauses"), list):
            raise ReportError("not a report: 'tests' and 'clauses' must be lists") from None
        return doc
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(json_schema()).iter_errors(doc))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise ReportError(f"not a valid report at {where}: {error.message}")
    return doc
