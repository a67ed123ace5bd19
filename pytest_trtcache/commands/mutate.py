"""``trtcache mutate``: how much of a python implementation's behaviour the suite pins down.

    trtcache mutate [--target T] [--paths FILE ...] [--sample N --seed S] [-j N]
                    [--json PATH] [--known-gaps F] [--equivalents F] [--fail-under PCT]
                    [--worker-url URL ...] [--session-dir DIR] [--timeout S]
    trtcache mutate-worker --target T --dir DIR --port P [--known-gaps F]

cosmic-ray mutates the target's python files one mutant at a time; the conformance suite
against the mutated target is the test command (:mod:`pytest_trtcache.mutation`). Prints
the score and each survivor as a diff with its file and line. Exit status: 0 when the
score reaches ``--fail-under`` (default 95) and every mutant was measured; 1 below it;
2 when the measurement is incomplete (a mutant errored or timed out) or the input is bad; 130 / 143
on SIGINT / SIGTERM (workers stopped, session removed unless ``--session-dir``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Optional, Sequence

from pytest_trtcache.mutation import engine, equivalents, trees

DEFAULT_FAIL_UNDER = 95.0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="trtcache mutate", description="measure the suite with cosmic-ray mutants of a target's python files")
    p.add_argument("--target", default=None, help="reference (its python runtime), module:<dotted.path>, wheel:<requirement or file>, sources:<dir> "
                   "(default: TRTCACHE_TARGET, else the trtcache_target ini key, else reference)")
    p.add_argument("--paths", nargs="+", default=[], metavar="FILE", help="mutate only these of the target's files")
    p.add_argument("--sample", type=int, metavar="N", help="measure N mutants chosen by --seed (a quick run)")
    p.add_argument("--seed", type=int, default=0, help="the sample's seed (default 0)")
    p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, metavar="N", help="local workers, one tree each (default: CPU count; 0 with --worker-url)")
    p.add_argument("--worker-url", action="append", default=[], metavar="URL", help="a remote `trtcache mutate-worker` (repeat for more machines)")
    p.add_argument("--json", metavar="PATH", help="write the JSON result here")
    p.add_argument("--known-gaps", metavar="FILE", help="the target's known gaps (its baseline must pass the suite)")
    p.add_argument("--level", help="gated levels, as for trtcache run")
    p.add_argument("--equivalents", action="append", default=[], metavar="FILE", help="TOML of documented equivalent mutants, besides the project's own")
    p.add_argument("--fail-under", type=float, default=DEFAULT_FAIL_UNDER, metavar="PCT", help=f"exit 1 below this score (default {DEFAULT_FAIL_UNDER:g})")
    p.add_argument("--timeout", type=float, metavar="S", help="per-mutant timeout (default: max(60, 4 x baseline + 30) s)")
    p.add_argument("--session-dir", metavar="DIR", help="keep the cosmic-ray session (config, database, trees, logs) here")
    return p


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _report(result, stale) -> str:
    lines = []
    for mutant in result.survivors():
        lines.append(f"SURVIVED {mutant.source}:{mutant.line} {mutant.operator} (occurrence {mutant.occurrence}; near clauses tried first: {', '.join(mutant.near) or 'none'})")
        lines += ["    " + line for line in mutant.diff.splitlines() if not line.startswith(("---", "+++"))]
    for mutant in result.mutants:
        if mutant.verdict == "timeout":
            lines.append(f"TIMEOUT {mutant.source}:{mutant.line} {mutant.operator}: not counted as a kill (the run is incomplete)")
        if mutant.verdict == "error":
            lines.append(f"ERROR {mutant.source}:{mutant.line} {mutant.operator}: {mutant.why[:600]}")
    for entry in stale:
        lines.append(f"STALE equivalent ({entry.origin}): {entry.file} {entry.operator} '{entry.before.strip()}' matches no generated mutant")
    lines.append(result.summary())
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = _parser()
    ns = parser.parse_args(argv)
    if ns.sample is not None and ns.sample < 1:
        parser.error(f"--sample {ns.sample}: give a positive count")
    if ns.jobs < 0:
        parser.error(f"-j {ns.jobs}: give 0 or more workers")
    from pytest_trtcache.launch.suite import configured_target

    ns.target, source = configured_target(ns.target, os.getcwd())
    _progress(f"mutate: target {ns.target} (from {source})")
    try:
        documented = equivalents.load([equivalents.OWN, *ns.equivalents])
        options = engine.Options(target=ns.target, paths=ns.paths, sample=ns.sample, seed=ns.seed, jobs=ns.jobs, timeout=ns.timeout,
                                 known_gaps=ns.known_gaps, level=ns.level, worker_urls=ns.worker_url, session_dir=ns.session_dir)
        result = engine.run(options, _progress)
    except trees.MutateError as exc:
        print(f"trtcache mutate: {exc}", file=sys.stderr)
        return 2
    stale = equivalents.apply(documented, result.mutants)
    mutated = {m.file for m in result.mutants}
    stale = [e for e in stale if e.file in mutated and result.sample is None]
    print(_report(result, stale))
    if ns.json:
        with open(ns.json, "w", encoding="utf-8") as f:
            json.dump({**result.as_json(), "stale_equivalents": [e.__dict__ for e in stale]}, f, indent=1)
    if not result.complete:
        return 2
    return 0 if result.score is not None and 100 * result.score >= ns.fail_under else 1


def worker_main(argv: Optional[Sequence[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="trtcache mutate-worker", description="serve mutants to a `trtcache mutate --worker-url` on another machine")
    p.add_argument("--target", default="reference", help="the same target as the controller's")
    p.add_argument("--dir", required=True, help="where to lay out this worker's tree (replaced if it holds one)")
    p.add_argument("--port", type=int, required=True, help="the port to listen on")
    p.add_argument("--known-gaps", metavar="FILE", help="the same known gaps as the controller's")
    p.add_argument("--level", help="the same levels as the controller's")
    ns = p.parse_args(argv)
    try:
        return engine.serve(ns.target, os.path.abspath(ns.dir), ns.port, ns.known_gaps, ns.level)
    except trees.MutateError as exc:
        print(f"trtcache mutate-worker: {exc}", file=sys.stderr)
        return 2
