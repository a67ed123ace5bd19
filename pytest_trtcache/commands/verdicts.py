"""``trtcache verdicts``: the conformance suite against released upstream wheels.

Runs the installed suite once per version against ``wheel:torch-tensorrt==<version>``
(each in its own interpreter: one upstream version per process) and prints the README
table, clause x version, each cell one of :mod:`.matrix`'s verdicts over every test
and runtime of that clause.

    trtcache verdicts [--versions 2.13.0,2.14.0] [--json PATH] [pytest args...]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from typing import Any, Optional, Sequence

from pytest_trtcache.commands.suite import SuiteRunSpec, launch
from pytest_trtcache.contract import spec
from pytest_trtcache.plugin.matrix import LEGEND, cell

VERSIONS = ("2.13.0", "2.14.0")
REQUIREMENT = "torch-tensorrt=={}"


def run_version(version: str, rest: list[str], workdir: str) -> dict[str, Any]:
    sub = os.path.join(workdir, version)
    os.makedirs(sub)
    spec = SuiteRunSpec(target=f"wheel:{REQUIREMENT.format(version)}", report=os.path.join(workdir, f"{version}.json"), extra=["-q", "-p", "no:randomly", *rest], cwd=sub)
    done = launch(spec, sub, capture=True)
    # 0 all passed, 1 some failed: both give a verdict; anything else is no verdict at all.
    if done.returncode not in (0, 1) or not os.path.isfile(spec.report):
        raise SystemExit(f"trtcache verdicts: the suite did not run against {spec.target} (exit {done.returncode}):\n{done.output[-6000:]}")
    with open(spec.report, encoding="utf-8") as f:
        return json.load(f)


def table(reports: dict[str, dict[str, Any]]) -> tuple[str, dict[str, dict[str, str]]]:
    verdicts: dict[str, dict[str, str]] = {}
    for version, data in reports.items():
        for clause in spec.CLAUSES:
            records = [r for r in data["tests"] if r["clause"] == clause.id]
            if records:
                verdicts.setdefault(clause.id, {})[version] = cell(records)
    versions = list(reports)
    lines = ["| clause | level | " + " | ".join(f"torch-tensorrt {v}" for v in versions) + " |", "|---|---|" + "---|" * len(versions)]
    for clause_id, row in verdicts.items():
        lines.append(f"| {clause_id} | {spec.get(clause_id).level} | " + " | ".join(row.get(v, "") for v in versions) + " |")
    return "\n".join(lines + ["", LEGEND]), verdicts


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="trtcache verdicts")
    parser.add_argument("--versions", default=",".join(VERSIONS), help="comma-separated torch-tensorrt versions")
    parser.add_argument("--json", help="write {verdicts, reports} here")
    ns, rest = parser.parse_known_args(argv)
    versions = [v.strip() for v in ns.versions.split(",") if v.strip()]
    with tempfile.TemporaryDirectory(prefix="trtcache-verdicts-") as workdir:
        reports = {v: run_version(v, rest, workdir) for v in versions}
    text, verdicts = table(reports)
    print(text)
    if ns.json:
        with open(ns.json, "w", encoding="utf-8") as f:
            json.dump({"verdicts": verdicts, "reports": reports}, f, indent=1)
    return 0
