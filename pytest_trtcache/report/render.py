"""The one renderer of reports: the Markdown clause x runtime-pair matrix (the step
summary, ``trtcache report``), the clause x version table (``trtcache verdicts``) and
the plain-text kill matrix (``trtcache selfcheck``), in one outcome vocabulary."""

from __future__ import annotations

from typing import Mapping, Sequence

from pytest_trtcache.contract import spec
from pytest_trtcache.report.records import Cell, Outcome, Report, RunStatus, TestRecord, Verdict

LEGEND = (
    "pass: the clause held in every test that could look (pass (k/n): k of n tests passed, the rest "
    "not observed or skipped); fail: a gated failure; fail (not gated): failed, its level not gated; "
    "error: a setup or teardown error; known gap: a listed known gap failed as expected; known gap "
    "passed: a listed known gap passed (the run fails until the list is updated); not observed: the "
    "target does not expose what the clause looks at; could not run (R): runtime R could not run here "
    "(the gate fails, see its problems); skipped: not run for another reason"
)


def cell_text(cell: Cell) -> str:
    if cell.verdict is Outcome.PASS and cell.passed < cell.tests:
        return f"pass ({cell.passed}/{cell.tests})"
    return cell.verdict.value


def _could_not_run(report: Report) -> dict[tuple[str, str], str]:
    """(clause, column) -> the runtime that could not run, for cells its tests were skipped in."""
    found: dict[tuple[str, str], str] = {}
    for record in report.tests:
        if record.outcome is Outcome.SKIPPED and record.unavailable_runtime:
            found.setdefault((record.clause, record.runtime or "-"), record.unavailable_runtime)
    return found


def verdict_lines(report: Report) -> list[str]:
    """The heading with the gate's verdict, why, and every problem that failed the run
    beyond one test (a runtime that could not run, required clauses unobserved, a stale
    known gap)."""
    verdict = report.verdict()
    lines = [f"### trtcache conformance: `{report.target.spec}`: {verdict}", ""]
    run = report.run
    if run is not None and (run.status is not RunStatus.COMPLETE or run.subset):
        label = "SUBSET" if run.status is RunStatus.COMPLETE else "INCOMPLETE"
        lines += [f"**run: {label}**: {run.describe()}; not a verdict on the whole contract", ""]
    if verdict is Verdict.INCOMPLETE:
        return lines + ["**gate: INCOMPLETE**: the run ended before the gate judged it, or recorded no test; the matrix is not a verdict", ""]
    problems = report.gate.problems if report.gate is not None else ()
    failed = report.failed()
    why = [f"{len(failed)} failing test(s)"] * bool(failed) + [f"{len(problems)} gate problem(s)"] * bool(problems)
    lines.append(f"**gate: {verdict}**" + (f" ({', '.join(why)})" if why else ""))
    return lines + [f"- {problem}" for problem in problems] + [""]


def _row(label: Sequence[str], cells: Sequence[str]) -> str:
    return "| " + " | ".join([*label, *cells]) + " |"


def headline(record: TestRecord) -> str:
    """A failed test in one line: clause, runtime pair, step, what broke."""
    where = f"runtime {record.runtime}" if record.runtime else "no runtime"
    step = f", step '{record.step}'" if record.step else ""
    first = record.message.splitlines()[:1]
    return f"[{record.clause}] {where}{step}: {first[0] if first else ''}"


def failures(report: Report) -> list[str]:
    found = report.findings()
    if not found:
        return []
    lines = ["<details><summary>failures</summary>", ""]
    lines += [f"- `{r.nodeid}` ({r.outcome}): {headline(r)}" for r in found]
    return lines + ["", "</details>", ""]


def matrix(report: Report) -> str:
    """The Markdown report: the gate's verdict and problems, clause x runtime pair, legend, failures."""
    cols = report.runtimes()
    unavailable = _could_not_run(report)
    cells: dict[str, dict[str, str]] = {}
    for cell in report.clauses:
        column = cell.runtime or "-"
        text = cell_text(cell)
        if cell.verdict is Outcome.SKIPPED and (cell.clause, column) in unavailable:
            text = f"could not run ({unavailable[cell.clause, column]})"
        cells.setdefault(cell.clause, {})[column] = text
    versions = ", ".join(f"{k} {v}" for k, v in sorted(report.versions.items()))
    lines = [
        *verdict_lines(report),
        f"{versions}; spawner: {report.spawner}; levels gated: {', '.join(report.levels_gated)}", "",
        _row(["clause", "level"], cols), "|---|---|" + "---|" * len(cols),
    ]
    for clause_id, row in cells.items():
        lines.append(_row([clause_id, spec.get(clause_id).level], [row.get(c, "") for c in cols]))
    return "\n".join(lines + ["", LEGEND, "", *failures(report)])


def clause_verdicts(report: Report) -> dict[str, str]:
    """Each clause's verdict over all its tests and runtime pairs."""
    by_clause: dict[str, list] = {}
    for record in report.tests:
        by_clause.setdefault(record.clause, []).append(record)
    return {c.id: cell_text(Cell.over(by_clause[c.id])) for c in spec.CLAUSES if c.id in by_clause}


def versions_table(reports: Mapping[str, Report], label: str = "torch-tensorrt {}") -> tuple[str, dict[str, dict[str, str]]]:
    """Clause x version (one report per version); also the verdicts as data."""
    verdicts: dict[str, dict[str, str]] = {}
    for version, report in reports.items():
        for clause_id, verdict in clause_verdicts(report).items():
            verdicts.setdefault(clause_id, {})[version] = verdict
    ordered = {c.id: verdicts[c.id] for c in spec.CLAUSES if c.id in verdicts}
    lines = [_row(["clause", "level"], [label.format(v) for v in reports]), "|---|---|" + "---|" * len(reports)]
    for clause_id, row in ordered.items():
        lines.append(_row([clause_id, spec.get(clause_id).level], [row.get(v, "") for v in reports]))
    return "\n".join(lines + ["", LEGEND]), ordered


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], notes: Sequence[str] = ()) -> str:
    """A fixed-width plain-text table (a terminal's kill matrix); ``notes[i]`` follows row i."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    def line(cells: Sequence[str], note: str = "") -> str:
        text = "  ".join(f"{c:<{w}}" for c, w in zip(cells, widths)).rstrip()
        return f"{text}  ({note})" if note else text
    return "\n".join([line(header), *(line(r, notes[i] if i < len(notes) else "") for i, r in enumerate(rows))])
