"""The Markdown clause x runtime matrix of a JSON report (``trtcache report PATH``)."""

from __future__ import annotations

from typing import Any, Iterable

from pytest_trtcache.contract import spec

LEGEND = (
    "pass: every test passed; pass (k/n): k of n passed, the rest not observable or skipped; "
    "FAIL: a gated failure; FAIL*: failed, level not gated; ERROR: setup/teardown error; "
    "xfail: known gap; XPASS: a known gap passed; n-o: not observable on this target; skip: skipped"
)


def cell(records: Iterable[dict[str, Any]]) -> str:
    records = list(records)
    if not records:
        return ""
    outcomes = [r["outcome"] for r in records]
    if any(r["outcome"] == "failed" and r.get("gated", True) for r in records):
        return "FAIL"
    if "failed" in outcomes:
        return "FAIL*"
    if "error" in outcomes:
        return "ERROR"
    if "xpassed" in outcomes:
        return "XPASS"
    passed = outcomes.count("passed")
    if passed == len(outcomes):
        return "pass"
    if passed:
        return f"pass ({passed}/{len(outcomes)})"
    if "xfailed" in outcomes:
        return "xfail"
    if all(o == "not-observable" for o in outcomes):
        return "n-o"
    return "skip"


def columns(data: dict[str, Any]) -> list[str]:
    seen: dict[str, None] = {}
    for record in data["tests"]:
        seen.setdefault(record.get("runtime") or "-", None)
    return list(seen)


def render(data: dict[str, Any]) -> str:
    cols = columns(data)
    clause_ids = [c.id for c in spec.CLAUSES if any(r["clause"] == c.id for r in data["tests"])]
    versions = ", ".join(f"{k} {v}" for k, v in sorted(data.get("versions", {}).items()))
    lines = [
        f"### trtcache conformance: `{data.get('target', '?')}`",
        "",
        f"{versions}; spawner: {data.get('spawner', 'in-process')}",
        "",
        "| clause | level | " + " | ".join(cols) + " |",
        "|---|---|" + "---|" * len(cols),
    ]
    for clause_id in clause_ids:
        records = [r for r in data["tests"] if r["clause"] == clause_id]
        cells = [cell(r for r in records if (r.get("runtime") or "-") == col) for col in cols]
        lines.append(f"| {clause_id} | {records[0]['level']} | " + " | ".join(cells) + " |")
    lines += ["", LEGEND, ""]
    failures = [r for r in data["tests"] if r["outcome"] in ("failed", "error")]
    if failures:
        lines += ["<details><summary>failures</summary>", ""]
        for r in failures:
            gate = "" if r.get("gated", True) else " (not gated)"
            first = (r.get("message") or "").splitlines()[:1]
            lines.append(f"- `{r['nodeid']}`{gate}: {first[0] if first else ''}")
        lines += ["", "</details>", ""]
    return "\n".join(lines)
