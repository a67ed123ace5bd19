"""``trtcache verdicts``: the conformance suite against released upstream wheels.

Runs the installed suite once per version against ``wheel:torch-tensorrt==<version>``
(each in its own interpreter: one upstream version per process) and prints the table of
docs/verdicts.md, clause x version, each cell the verdict of :mod:`pytest_trtcache.report.render`
over every test and runtime pair of that clause.

    trtcache verdicts [--versions 2.13.0,2.14.0] [--json PATH] [pytest args...]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from typing import Optional, Sequence

from pytest_trtcache.launch.suite import SuiteRunSpec, launch
from pytest_trtcache.report import files, render
from pytest_trtcache.report.records import Report
from pytest_trtcache.report.schema import ReportError

VERSIONS = ("2.13.0", "2.14.0")
REQUIREMENT = "torch-tensorrt=={}"


def run_version(version: str, rest: list[str], workdir: str) -> Report:
    sub = os.path.join(workdir, version)
    os.makedirs(sub)
    spec = SuiteRunSpec(target=f"wheel:{REQUIREMENT.format(version)}", report=os.path.join(workdir, f"{version}.json"), extra=["-q", "-p", "no:randomly", *rest], cwd=sub)
    done = launch(spec, sub, capture=True)
    # 0 all passed, 1 some failed: both give a verdict; anything else is no verdict at all.
    if done.returncode not in (0, 1) or not os.path.isfile(spec.report):
        raise SystemExit(f"trtcache verdicts: the suite did not run against {spec.target} (exit {done.returncode}):\n{done.output[-6000:]}")
    try:
        return files.load(spec.report)
    except ReportError as exc:
        raise SystemExit(f"trtcache verdicts: the suite against {spec.target} wrote no valid report: {exc}") from None


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="trtcache verdicts")
    parser.add_argument("--versions", default=",".join(VERSIONS), help="comma-separated torch-tensorrt versions")
    parser.add_argument("--json", help="write {verdicts, reports} here")
    ns, rest = parser.parse_known_args(argv)
    why = files.unwritable(ns.json) if ns.json else ""
    if why:  # before the suite runs minutes against every version
        parser.error(f"--json {ns.json}: {why}")
    versions = [v.strip() for v in ns.versions.split(",") if v.strip()]
    with tempfile.TemporaryDirectory(prefix="trtcache-verdicts-") as workdir:
        reports = {v: run_version(v, rest, workdir) for v in versions}
    text, verdicts = render.versions_table(reports)
    print(text)
    if ns.json:
        files.write_json(ns.json, {"verdicts": verdicts, "reports": files.to_json(reports)})
    return 0
