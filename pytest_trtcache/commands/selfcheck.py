"""Run the conformance suite against a target in a subprocess, and build the kill matrix.

``run_suite`` is what ``trtcache selfcheck`` (``main``) and ``tests/test_zoo.py`` share:
one pytest child per target (so each mutant's classes and at-exit hooks stay in their
own process), restricted to the clauses that matter, its JSON report parsed back.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from concurrent.futures import Executor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence

from pytest_trtcache.launch.suite import SuiteRunSpec, launch, suite_dir
from pytest_trtcache.launch.warm import WarmSuites
from pytest_trtcache.spawn.environment import child_env
from pytest_trtcache.report import files, render
from pytest_trtcache.report.records import Outcome, Report, TestRecord
from pytest_trtcache.report.schema import ReportError

CONFORMANCE_DIR = Path(suite_dir())
# A mutant's child asks only which clauses fail: hypothesis raises each failure as
# generation found it instead of shrinking it (launch/first_failure.py). The reference's
# run, and a mutant's second run where a clause survived the first, keep every phase.
FIRST_FAILURE = ("-p", "pytest_trtcache.launch.first_failure")
# A hang guard, not a speed bar: the whole suite against the reference takes ~2 min alone
# here, over 5 min while CI's other tests and a mutant's child share the two cores.
SUITE_TIMEOUT_S = 1800.0


class SuiteError(RuntimeError):
    """The child pytest did not produce a report (usage error, crash)."""


@dataclass
class SuiteRun:
    target: str
    clauses: Optional[tuple[str, ...]]
    returncode: int
    report: Report
    output: str = ""

    @property
    def tests(self) -> tuple[TestRecord, ...]:
        return self.report.tests

    def outcomes(self, clause: str) -> dict[Outcome, int]:
        counts: dict[Outcome, int] = {}
        for test in self.tests:
            if test.clause == clause:
                counts[test.outcome] = counts.get(test.outcome, 0) + 1
        return counts

    def killed(self, clause: str) -> bool:
        return any(outcome.failing for outcome in self.outcomes(clause))

    def problems(self) -> list[str]:
        """What makes this run not a pass: tests that did not pass (a skip and a
        field the target does not expose are not failures), or a non-zero exit."""
        fine = (Outcome.PASS, Outcome.SKIPPED, Outcome.NOT_OBSERVED)
        bad = [f"{t.nodeid}: {t.outcome}: {render.headline(t)}" for t in self.tests if t.outcome not in fine]
        if not self.tests:
            bad.append("no conformance test ran")
        if self.returncode != 0 and not bad:
            bad.append(f"pytest exited {self.returncode}")
        return bad


def reference_problems(run: SuiteRun) -> list[str]:
    """``problems``, and more: the python reference exposes every white-box field, so
    nothing there may go unobserved (the cpp runtime declares fewer fields, so it may)."""
    hidden = [f"{t.nodeid}: not observable in the python reference" for t in run.tests if t.outcome is Outcome.NOT_OBSERVED and t.runtime == "python"]
    return run.problems() + hidden


def run_suite(
    target: str,
    clauses: Optional[Iterable[str]] = None,
    extra_args: Sequence[str] = (),
    *,
    suite: Path = CONFORMANCE_DIR,
    env: Optional[dict[str, str]] = None,
    timeout: float = SUITE_TIMEOUT_S,
    warm: Optional[WarmSuites] = None,
) -> SuiteRun:
    """Run ``suite`` against ``target`` in a child pytest; return its parsed JSON report."""
    clauses = tuple(clauses) if clauses else None
    with tempfile.TemporaryDirectory(prefix="trtcache-selfcheck-") as tmp:
        report_path = os.path.join(tmp, "report.json")
        spec = SuiteRunSpec(target=target, report=report_path, clauses=clauses or (), suite=str(suite), cwd=str(suite.parent),
                            extra=["-q", "-p", "no:randomly", f"--basetemp={os.path.join(tmp, 'base')}", *extra_args])
        done = launch(spec, tmp, capture=True, timeout=timeout, env=env, warm=warm)
        if done.timed_out:
            raise SuiteError(f"target {target}: the suite did not finish in {timeout:.0f} s (killed; a hang?); its output so far:\n{done.output[-4000:]}")
        output = done.output
        if not os.path.exists(report_path):
            raise SuiteError(f"target {target}: pytest exited {done.returncode} without a report:\n{output[-4000:]}")
        try:
            report = files.load(report_path)
        except ReportError as exc:
            raise SuiteError(f"target {target}: {exc}") from None
    return SuiteRun(target=target, clauses=clauses, returncode=done.returncode, report=report, output=output)


@dataclass
class KillRow:
    mutant: str
    clauses: tuple[str, ...]
    run: Optional[SuiteRun] = None
    skipped: str = ""  # why the mutant was not run (its runtimes are unavailable)
    verdicts: dict[str, str] = field(default_factory=dict)  # clause -> killed | survived | error
    error: str = ""  # why the child gave no verdict
    full_run: bool = False  # measured again with shrinking (a clause survived the unshrunk run)

    @property
    def survivors(self) -> list[str]:
        return [c for c, v in self.verdicts.items() if v != "killed"]


def unavailable_runtimes(mutant: Any) -> list[str]:
    """Runtimes a mutant names that cannot run here, with reasons (empty: all can)."""
    from pytest_trtcache.targets import resolve

    target = resolve(f"mutant:{mutant.name}")
    reasons = []
    for name in mutant.runtimes:
        runtime = target.runtimes.get(name)
        reason = "the target has no such runtime" if runtime is None else runtime.unavailable_reason()
        if reason:
            reasons.append(f"{name}: {reason}")
    return reasons


def kill_row(mutant: Any, extra_args: Sequence[str] = (), timeout: float = SUITE_TIMEOUT_S, warm: Optional[WarmSuites] = None) -> KillRow:
    row = KillRow(mutant.name, tuple(mutant.clauses))
    missing = unavailable_runtimes(mutant)
    if missing:
        row.skipped = "; ".join(missing)
        return row
    try:
        row.run = run_suite(f"mutant:{mutant.name}", mutant.clauses, [*FIRST_FAILURE, *extra_args], timeout=timeout, warm=warm)
        if not all(row.run.killed(c) for c in mutant.clauses):
            # A kill without shrinking is a kill (the test failed on that clause's violation);
            # a survivor is measured again with every phase, and that run's verdict stands.
            row.full_run, row.run = True, run_suite(f"mutant:{mutant.name}", mutant.clauses, extra_args, timeout=timeout, warm=warm)
    except SuiteError as exc:  # no verdict (a crash, a hang): an error, never a kill
        row.error = str(exc)
        row.verdicts = {c: "error" for c in mutant.clauses}
        return row
    row.verdicts = {c: "killed" if row.run.killed(c) else "survived" for c in mutant.clauses}
    return row


def kill_matrix(
    mutants: Sequence[Any], pool: Executor, extra_args: Sequence[str] = (), timeout: float = SUITE_TIMEOUT_S,
    on_row: Optional[Callable[[int, KillRow], None]] = None, warm: Optional[WarmSuites] = None,
) -> list[KillRow]:
    """One row per mutant, in the order given, its child run on ``pool`` (forked from
    ``warm`` when given); ``on_row`` sees each row as it finishes, with how many have
    (progress)."""
    futures = {pool.submit(kill_row, m, extra_args, timeout, warm): i for i, m in enumerate(mutants)}
    rows: list[Any] = [None] * len(mutants)
    for done, future in enumerate(as_completed(futures), 1):
        row = rows[futures[future]] = future.result()
        if on_row is not None:
            on_row(done, row)
    return rows


def format_matrix(rows: Sequence[KillRow]) -> str:
    clauses = sorted({c for row in rows for c in row.clauses}, key=lambda c: (c[0], int(c[1:])))
    cells = [[row.mutant, *("-" if c not in row.clauses else ("skipped" if row.skipped else row.verdicts.get(c, "?")) for c in clauses)] for row in rows]
    return render.text_table(["mutant", *clauses], cells, [row.skipped for row in rows])


def _row_line(row: KillRow) -> str:
    if row.error:
        return f"{row.mutant}: ERROR, no verdict ({row.error.splitlines()[0]})"
    if row.skipped:
        return f"{row.mutant}: not run ({row.skipped})"
    survived = row.survivors
    if survived:
        return f"{row.mutant}: SURVIVED {', '.join(survived)} (killed: {', '.join(c for c in row.clauses if c not in survived) or 'none'})"
    return f"{row.mutant}: killed on {', '.join(row.clauses)}"


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``trtcache selfcheck``: the reference must pass the whole suite and every mutant
    must fail on each clause it names. Exit 0 when both hold, 1 when not, 2 on bad usage."""
    from pytest_trtcache.mutants import MUTANTS
    from pytest_trtcache.plugin.options import positive_int

    parser = argparse.ArgumentParser(prog="trtcache selfcheck", description=main.__doc__)
    parser.add_argument("--mutant", action="append", metavar="NAME", default=[], help="only this mutant (repeatable; default: the whole zoo)")
    parser.add_argument("-j", "--workers", type=positive_int, default=2, metavar="N", help="child pytest runs at a time (default 2)")
    parser.add_argument("--list", action="store_true", help="list the zoo (name, clauses, origin) and exit")
    parser.add_argument("--timeout", type=positive_int, default=int(SUITE_TIMEOUT_S), metavar="S",
                        help=f"kill a child pytest after S seconds and count it an error (default {SUITE_TIMEOUT_S:.0f}: a hang guard)")
    parser.add_argument("--json", metavar="PATH", help="also write the verdicts as JSON (the reference's problems, each mutant's row)")
    parser.add_argument("--spawn", choices=("auto", "fork", "exec"), default="auto",
                        help="how each child pytest starts: forked from one warm interpreter (torch, pytest and hypothesis imported once), "
                             "or exec'd cold; auto (default) forks where that is safe and says why not where it is not")
    ns = parser.parse_args(argv)
    unknown = [n for n in ns.mutant if n not in MUTANTS]
    if unknown:
        parser.error(f"unknown mutant(s) {', '.join(map(repr, unknown))}; `trtcache selfcheck --list` names the {len(MUTANTS)} there are")
    why = files.unwritable(ns.json) if ns.json else ""
    if why:  # before the children run for minutes
        parser.error(f"--json {ns.json}: {why}")
    mutants = [MUTANTS[n] for n in ns.mutant] if ns.mutant else list(MUTANTS.values())
    if ns.list:
        for m in mutants:
            print(f"{m.name:<32} {','.join(m.clauses):<10} {'+'.join(m.runtimes):<11} {m.origin}")
        return 0

    def progress(done: int, row: KillRow) -> None:
        print(f"[{done}/{len(mutants)}] {_row_line(row)}", flush=True)

    with tempfile.TemporaryDirectory(prefix="trtcache-selfcheck-warm-") as workdir:
        warm = _warm_suites(ns.spawn, workdir)
        if warm is None and ns.spawn == "fork":
            return 7
        try:
            how = "forked from a warm interpreter" if warm else "each started cold"
            print(f"trtcache selfcheck: the reference and {len(mutants)} mutant(s), {ns.workers} child pytest run(s) at a time, {how}", flush=True)
            with ThreadPoolExecutor(max_workers=ns.workers) as pool:
                reference = pool.submit(run_suite, "reference", timeout=ns.timeout, warm=warm)  # first: the longest child
                table = kill_matrix(mutants, pool, timeout=ns.timeout, on_row=progress, warm=warm)
                try:
                    ref_problems = reference_problems(reference.result())
                except SuiteError as exc:
                    ref_problems = [str(exc)]
        finally:
            if warm is not None:
                warm.close()

    print("\n" + format_matrix(table) + "\n")
    survivors = [r for r in table if r.survivors]
    skipped = [r for r in table if r.skipped]
    errors = [f"{r.mutant}: {r.error}" for r in table if r.error]
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    if ref_problems:
        print("the reference FAILED the suite:\n  " + "\n  ".join(ref_problems), file=sys.stderr)
    else:
        print("the reference passed the whole suite")
    print(
        f"{len(table) - len(survivors) - len(skipped)} of {len(table)} mutant(s) killed on every clause they name"
        + (f"; {len(survivors)} survived or errored: {', '.join(r.mutant for r in survivors)}" if survivors else "")
        + (f"; {len(skipped)} not run here (their runtime is unavailable): {', '.join(r.mutant for r in skipped)}" if skipped else "")
    )
    if ns.json:
        files.write_json(ns.json, {"reference": {"problems": ref_problems}, "errors": errors, "mutants": [_row_json(r) for r in table]})
    return 1 if ref_problems or survivors else 0


def _warm_suites(mode: str, workdir: str) -> Optional[WarmSuites]:
    """The warm interpreter the children fork from (``None``: they start cold). Where fork
    is unsafe, ``auto`` says so and goes cold; ``fork`` says so and gives up."""
    if mode == "exec":
        return None
    warm = WarmSuites(workdir, child_env(first=[os.path.dirname(CONFORMANCE_DIR)]))
    why = warm.start()
    if why is None:
        return warm
    print(f"trtcache selfcheck: cannot fork the child pytest runs ({why}); "
          + ("each starts cold instead" if mode == "auto" else "--spawn fork gives up (exit 7)"), file=sys.stderr, flush=True)
    return None


def _row_json(row: KillRow) -> dict[str, Any]:
    return {
        "name": row.mutant,
        "clauses": list(row.clauses),
        "skipped": row.skipped,
        "verdicts": row.verdicts,
        "full_run": row.full_run,
        "outcomes": {c: files.to_json(row.run.outcomes(c)) for c in row.clauses} if row.run else {},
        # what a reader of a survivor needs: the child's own words
        "output_tail": row.run.output[-3000:] if row.run and row.survivors else "",
    }
