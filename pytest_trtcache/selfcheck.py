"""Run the conformance suite against a target in a subprocess, and build the kill matrix.

``run_suite`` is what ``trtcache selfcheck`` and ``tests/test_zoo.py`` share: one pytest
child per target (so each mutant's classes and at-exit hooks stay in their own
process), restricted to the clauses that matter, its JSON report parsed back.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)
CONFORMANCE_DIR = Path(PACKAGE_ROOT) / "conformance"
FAILING = ("failed", "error")


class SuiteError(RuntimeError):
    """The child pytest did not produce a report (usage error, crash)."""


@dataclass
class SuiteRun:
    target: str
    clauses: Optional[tuple[str, ...]]
    returncode: int
    report: dict[str, Any]
    output: str = ""

    @property
    def tests(self) -> list[dict[str, Any]]:
        return self.report.get("tests", [])

    def outcomes(self, clause: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for test in self.tests:
            if test["clause"] == clause:
                counts[test["outcome"]] = counts.get(test["outcome"], 0) + 1
        return counts

    def killed(self, clause: str) -> bool:
        return any(self.outcomes(clause).get(o, 0) for o in FAILING)


def run_suite(
    target: str,
    clauses: Optional[Iterable[str]] = None,
    extra_args: Sequence[str] = (),
    *,
    suite: Path = CONFORMANCE_DIR,
    env: Optional[dict[str, str]] = None,
    timeout: float = 300.0,
) -> SuiteRun:
    """Run ``suite`` against ``target`` in a child pytest; return its parsed JSON report."""
    clauses = tuple(clauses) if clauses else None
    with tempfile.TemporaryDirectory(prefix="trtcache-selfcheck-") as tmp:
        report_path = os.path.join(tmp, "report.json")
        cmd = [sys.executable, "-m", "pytest", "-p", "trtcache", str(suite), f"--trtcache-target={target}",
               f"--trtcache-report={report_path}", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
               f"--rootdir={suite.parent}", f"--basetemp={os.path.join(tmp, 'base')}"]
        if clauses:
            cmd.append("--trtcache-clause=" + ",".join(clauses))
        cmd += list(extra_args)
        child_env = dict(os.environ if env is None else env)
        # The child imports this checkout's package, whatever is pip-installed.
        root = str(suite.parent)
        child_env["PYTHONPATH"] = os.pathsep.join(p for p in (PACKAGE_ROOT, root, child_env.get("PYTHONPATH", "")) if p)
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=root, env=child_env, timeout=timeout)
        output = proc.stdout + proc.stderr
        if not os.path.exists(report_path):
            raise SuiteError(f"target {target}: pytest exited {proc.returncode} without a report:\n{output[-4000:]}")
        with open(report_path, encoding="utf-8") as f:
            report = json.load(f)
    return SuiteRun(target=target, clauses=clauses, returncode=proc.returncode, report=report, output=output)


@dataclass
class KillRow:
    mutant: str
    clauses: tuple[str, ...]
    run: Optional[SuiteRun] = None
    skipped: str = ""  # why the mutant was not run (its runtimes are unavailable)
    verdicts: dict[str, str] = field(default_factory=dict)  # clause -> killed | survived

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


def kill_row(mutant: Any, extra_args: Sequence[str] = ()) -> KillRow:
    row = KillRow(mutant.name, tuple(mutant.clauses))
    missing = unavailable_runtimes(mutant)
    if missing:
        row.skipped = "; ".join(missing)
        return row
    row.run = run_suite(f"mutant:{mutant.name}", mutant.clauses, extra_args)
    row.verdicts = {c: "killed" if row.run.killed(c) else "survived" for c in mutant.clauses}
    return row


def kill_matrix(mutants: Iterable[Any], workers: int = 2, extra_args: Sequence[str] = ()) -> list[KillRow]:
    """One row per mutant; the children run ``workers`` at a time."""
    mutants = list(mutants)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda m: kill_row(m, extra_args), mutants))


def format_matrix(rows: Sequence[KillRow]) -> str:
    clauses = sorted({c for row in rows for c in row.clauses}, key=lambda c: (c[0], int(c[1:])))
    width = max([len(r.mutant) for r in rows] + [6])
    lines = [f"{'mutant':<{width}}  " + "  ".join(f"{c:<8}" for c in clauses)]
    for row in rows:
        cells = []
        for c in clauses:
            cells.append(f"{'-' if c not in row.clauses else ('skipped' if row.skipped else row.verdicts.get(c, '?')):<8}")
        lines.append(f"{row.mutant:<{width}}  " + "  ".join(cells) + (f"  ({row.skipped})" if row.skipped else ""))
    return "\n".join(lines)
