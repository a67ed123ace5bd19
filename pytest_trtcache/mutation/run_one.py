"""The engine's test command: ``python -m pytest_trtcache.mutation.run_one``, run by a
cosmic-ray worker in its worker tree with one mutant applied to one file.

It runs the conformance suite against the target in this tree, stopping at the first
failure, in two phases: first the clauses near the mutated code (the clauses that killed
earlier mutants of the same function, then :mod:`.near`'s), then every other clause. The
exit status is cosmic-ray's verdict (0 survived, else killed); its standard output is
this project's, one typed document: a :class:`~pytest_trtcache.report.records.MutantVerdict`
serialized by :mod:`pytest_trtcache.report.files` (which phase and test killed it, or
``error`` when the measurement itself is wrong: the target imported from outside the
tree), which the engine reads back into the same type and never counts as a kill when it
says ``error``. Standard output is the channel because it is what cosmic-ray hands back
to the controller, from a local worker as from one on another machine; the suite's own
output is captured, never printed there.

With ``--baseline`` it runs the whole suite once over the unmutated tree and records in
the plan the tests that do not run there (not observed, skipped), which no mutant runs:
the baseline fails when a test fails that no known gap names, or the run fails its gate.
The baseline and every mutant run under the same known gaps: a test a gap covers is an
expected failure for both (the hostile lifecycle machine compares its gap clauses but
asserts none), so a mutant is never killed by a gap the original already has.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from typing import Any, Optional, Sequence

from filelock import FileLock

from pytest_trtcache.report import files
from pytest_trtcache.report.records import Killer, MutantOutcome, MutantVerdict, Outcome, Phase
from pytest_trtcache.report.schema import ReportError

from . import near, trees

SESSION_ENV = "TRTCACHE_MUTATE_SESSION"
LEARNED = "learned.jsonl"  # in the session dir: (function, clause) of each kill
#: pytest exit statuses: 1 tests failed; 2 interrupted (collection errors); 3 internal
#: error; 4 usage error (e.g. the target failed to resolve). The baseline passed the same
#: command, so each is the mutant's doing; 5 (nothing collected) is the measurement's.
NOTHING_COLLECTED = 5
PHASE_NEAR_MAX = 4


def _finish(verdict: str, *, seconds: Optional[dict[str, float]] = None, near: Sequence[str] = (), **fields: Any) -> int:
    """Write the verdict as this command's whole standard output; return the exit status
    cosmic-ray reads (0 survived, else killed)."""
    record = MutantVerdict(verdict=MutantOutcome(verdict), near=tuple(near),
                           seconds={Phase(phase): value for phase, value in (seconds or {}).items()}, **fields)
    sys.stdout.write(files.dumps(record))
    sys.stdout.flush()
    return 0 if record.verdict in (MutantOutcome.SURVIVED, MutantOutcome.BASELINE) else 1


def _mutated(tree: trees.Tree, tree_dir: str) -> tuple[Optional[str], list[int], str]:
    """(file, changed lines, pristine text) of the one mutated file, or (None, [], "")."""
    for name in tree.files:
        with open(os.path.join(tree_dir, trees.PRISTINE, name), encoding="utf-8") as f:
            pristine = f.read()
        with open(os.path.join(tree_dir, name), encoding="utf-8") as f:
            current = f.read()
        if current != pristine:
            return name, near.changed_lines(pristine, current), pristine
    return None, [], ""


def _learned(session_dir: str, function: str) -> list[str]:
    path = os.path.join(session_dir, LEARNED)
    counts: dict[str, int] = {}
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                entry = json.loads(line)
                if entry["function"] == function:
                    counts[entry["clause"]] = counts.get(entry["clause"], 0) + 1
    return sorted(counts, key=lambda c: -counts[c])


def _learn(session_dir: str, function: str, clause: str) -> None:
    path = os.path.join(session_dir, LEARNED)
    with FileLock(path + ".lock", timeout=60):
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"function": function, "clause": clause}) + "\n")


def _killer(report: str, done) -> Killer:
    """The first failing test of a phase's report; when it wrote none, the child's exit
    status and the tail of its output."""
    try:
        found = Killer.first_of(files.load(report))
    except (OSError, ReportError):
        found = None
    return found or Killer(exit=done.returncode, output=done.output[-1500:])


def _phase(tree: trees.Tree, tree_dir: str, clauses: list[str], workdir: str, name: str, baseline: bool = False):
    from pytest_trtcache.launch.suite import SuiteRunSpec, launch

    options = dict(tree.suite_options)
    extra = ["-q", "-p", "no:randomly", "-p", "no:cacheprovider", *options.pop("extra", [])]
    options["known_gaps"] = tree.known_gaps
    if not baseline:
        # A kill is any failing test: -x stops at the first, and that test raises the failure
        # generation found instead of shrinking it (launch/first_failure.py; which tests fail
        # does not change, shrinking only starts once one has).
        extra = ["-x", "-p", "pytest_trtcache.launch.first_failure", *extra, *[arg for nodeid in tree.deselect for arg in ("--deselect", nodeid)]]
    report = os.path.join(workdir, f"{name}.json")
    spec = SuiteRunSpec(target=tree.spec_in(tree_dir), clauses=clauses, report=report, extra=extra, cwd=workdir, **options)
    started = time.monotonic()
    done = launch(spec, workdir, capture=True)
    return done, report, time.monotonic() - started


def measure_baseline(tree_dir: str) -> int:
    """The whole suite over the unmutated tree; the tests that do not run there go into the plan."""
    tree = trees.load(tree_dir)
    with tempfile.TemporaryDirectory(prefix="trtcache-baseline-") as workdir:
        done, report, seconds = _phase(tree, tree_dir, [], workdir, "baseline", baseline=True)
        try:
            doc = files.load(report)
        except (OSError, ReportError) as exc:
            return _finish("error", why=f"the unmutated target's run wrote no readable report ({exc}); exit {done.returncode}", output=done.output[-4000:])
    records = doc.tests
    passing = (Outcome.PASS, Outcome.KNOWN_GAP_PASSED)
    failing = [r for r in records if r.outcome.failing]
    left_out = [r for r in records if not r.outcome.failing and r.outcome not in (*passing, Outcome.KNOWN_GAP)]
    if failing:
        first = failing[0]
        return _finish("error", why=f"the unmutated target fails {len(failing)} test(s) that no known gap names, first {first.nodeid} ({first.clause}): "
                       f"{first.message[:600]}", killer=Killer(test=first.nodeid, clause=first.clause, outcome=first.outcome), seconds={"baseline": round(seconds, 2)})
    if done.returncode != 0:
        return _finish("error", why=f"the unmutated target fails the suite's gate (exit {done.returncode}) with no failing test: "
                       "a stale known gap, or a clause not observed; every mutant would read as killed", output=done.output[-4000:])
    if not any(r.outcome in passing for r in records):
        return _finish("error", why="the unmutated target passes no test: nothing could kill a mutant", output=done.output[-4000:])
    tree.deselect = sorted(r.nodeid for r in left_out)
    trees.save_plan(tree, tree_dir)
    counts: dict[str, int] = {}
    for r in left_out:
        key = f"{r.clause} {r.outcome}"
        counts[key] = counts.get(key, 0) + 1
    return _finish("baseline", passed=sum(1 for r in records if r.outcome in passing), left_out=counts, seconds={"baseline": round(seconds, 2)})


def measure(tree_dir: str, session_dir: str) -> int:
    from pytest_trtcache import __file__ as package_file
    from pytest_trtcache.contract import spec as clause_spec

    tree = trees.load(tree_dir)
    if tree.import_check:
        import importlib.util

        found = importlib.util.find_spec(tree.import_check)
        origin = found.origin if found else None
        if not origin or not os.path.realpath(origin).startswith(os.path.realpath(tree_dir) + os.sep):
            return _finish("error", why=f"{tree.import_check} imports from {origin}, not from the worker tree {tree_dir}: its PYTHONPATH does not put the tree first")
        if tree.on_path and not os.path.realpath(package_file).startswith(os.path.realpath(tree_dir) + os.sep) and tree.import_check == "pytest_trtcache":
            return _finish("error", why=f"pytest_trtcache imports from {package_file}, not from the worker tree")
    name, lines, pristine = _mutated(tree, tree_dir)
    if name is None:
        return _finish("error", why="no file of the plan differs from its pristine copy: the engine applied no mutant")
    first: list[str] = []
    around = near.enclosing(pristine, lines[0]) if lines else []
    function = f"{name}:{around[0]}" if around else f"{name}:<module>"
    sources = []
    for other in tree.files:
        with open(os.path.join(tree_dir, trees.PRISTINE, other), encoding="utf-8") as f:
            sources.append(f.read())
    suite = os.path.join(tree_dir, "conformance") if os.path.isdir(os.path.join(tree_dir, "conformance")) else None
    if suite is None:
        from pytest_trtcache.launch.suite import suite_dir

        suite = suite_dir()
    static = near.near_clauses(near.reaching(sources, around[:1]), near.clause_tests(suite))
    for clause in _learned(session_dir, function) + static:
        if clause not in first and len(first) < PHASE_NEAR_MAX:
            first.append(clause)
    rest = [c.id for c in clause_spec.CLAUSES if c.id not in first]
    phases = [("near", first), ("rest", rest)] if first else [("all", [])]
    timings = {}
    with tempfile.TemporaryDirectory(prefix="trtcache-mutant-") as workdir:
        for phase, clauses in phases:
            done, report, seconds = _phase(tree, tree_dir, clauses, workdir, phase)
            timings[phase] = round(seconds, 2)
            if done.returncode == NOTHING_COLLECTED and clauses:
                continue  # no test of these clauses in this suite (a partial target)
            if done.returncode != 0:
                killer = _killer(report, done)
                if function and killer.clause:
                    _learn(session_dir, function, killer.clause)
                return _finish("killed", phase=Phase(phase), function=function, near=first, seconds=timings, killer=killer)
    return _finish("survived", function=function, near=first, seconds=timings)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pytest_trtcache.mutation.run_one")
    parser.add_argument("--session", help="the dir of the kills learned by this session's workers "
                        f"(default: ${SESSION_ENV}, which each worker's environment sets, else the tree's parent)")
    parser.add_argument("--baseline", action="store_true", help="run the unmutated tree; it must pass")
    ns = parser.parse_args(argv)
    tree_dir = os.getcwd()
    session = ns.session or os.environ.get(SESSION_ENV) or os.path.dirname(tree_dir)
    return measure_baseline(tree_dir) if ns.baseline else measure(tree_dir, session)


if __name__ == "__main__":
    sys.exit(main())
