"""The ``trtcache`` command: run the installed conformance suite, render reports, diagnose.

    trtcache run [--target T] [--peer P] [-n N] [--report PATH] [--level L] [--known-gaps F] [pytest args...]
    trtcache report PATH
    trtcache doctor
    trtcache selfcheck [...]      (pytest_trtcache.commands.selfcheck, when present)
    trtcache verdicts [...]       (clause x version table over released wheels)
    trtcache bench [...]          (side-by-side costs; pytest_trtcache.commands.bench)
    trtcache mutate [...]         (mutation score of the suite; pytest_trtcache.commands.mutate)
    trtcache mutate-worker [...]  (a worker on another machine for trtcache mutate)

``run`` works from any directory: the suite is the installed ``pytest_trtcache.conformance``
package, run by a child pytest with an ini of its own that carries only the caller's
``trtcache_*`` keys (the rest of a user's configuration does not interfere) from the
caller's directory, so relative paths in pytest options land there
and ``--lf`` / ``--ff`` use ``./.pytest_cache``. SIGINT / SIGTERM stop the child pytest
(``run``, ``selfcheck``, ``verdicts``, ``bench``, ``mutate``), remove the temp dirs and exit 130 / 143.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from typing import Optional, Sequence

from pytest_trtcache.launch import interrupts
from pytest_trtcache.launch.suite import SuiteRunSpec, configured_target, launch


def _xdist_missing(numprocesses: Optional[str]) -> str:
    """``-n`` needs pytest-xdist in the child pytest: why not, instead of pytest's bare usage error."""
    import importlib.util

    if numprocesses and importlib.util.find_spec("xdist") is None:
        return (f"-n {numprocesses} needs pytest-xdist, which is not installed here "
                "(pip install 'pytest-trtcache[ci]', or drop -n)")
    return ""


def cmd_run(ns: argparse.Namespace, rest: list[str]) -> int:
    from pytest_trtcache.plugin.completeness import INFRASTRUCTURE

    missing = _xdist_missing(ns.numprocesses)
    if missing:
        print(f"trtcache run: {missing}", file=sys.stderr)
        return INFRASTRUCTURE
    given = ns.target or next((arg.partition("=")[2] for arg in rest if arg.startswith("--trtcache-target=")), None)
    target, source = configured_target(given, os.getcwd())
    print(f"trtcache run: target {target} (from {source})", file=sys.stderr, flush=True)
    spec = SuiteRunSpec(target=ns.target, peer=ns.peer, numprocesses=ns.numprocesses, report=ns.report, level=ns.level,
                        known_gaps=ns.known_gaps, extra=rest, cache_dir=".pytest_cache")
    with tempfile.TemporaryDirectory(prefix="trtcache-run-") as workdir:
        done = launch(spec, workdir)
    if done.problem:
        print(f"trtcache run: {done.problem} (exit {done.returncode})", file=sys.stderr)
    return done.returncode


def cmd_report(ns: argparse.Namespace, rest: list[str]) -> int:
    from pytest_trtcache.report import files, render
    from pytest_trtcache.report.schema import ReportError

    try:
        data = files.load(ns.path)
    except ReportError as exc:
        print(f"trtcache report: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(render.matrix(data) + "\n")
    return 0


def cmd_selfcheck(ns: argparse.Namespace, rest: list[str]) -> int:
    from pytest_trtcache.commands.selfcheck import main

    return main(rest)


def cmd_doctor(ns: argparse.Namespace, rest: list[str]) -> int:
    from pytest_trtcache.commands.doctor import main

    target, source = configured_target(ns.target, os.getcwd())
    print(f"trtcache doctor: target {target} (from {source})", flush=True)
    return main(target)


def cmd_verdicts(ns: argparse.Namespace, rest: list[str]) -> int:
    from pytest_trtcache.commands.verdicts import main

    return main(rest)


def cmd_bench(ns: argparse.Namespace, rest: list[str]) -> int:
    from pytest_trtcache.commands.bench import main

    return main(rest)


def cmd_mutate(ns: argparse.Namespace, rest: list[str]) -> int:
    from pytest_trtcache.commands.mutate import main

    return main(rest)


def cmd_mutate_worker(ns: argparse.Namespace, rest: list[str]) -> int:
    from pytest_trtcache.commands.mutate import worker_main

    return worker_main(rest)


def parser() -> argparse.ArgumentParser:
    from pytest_trtcache import __version__

    top = argparse.ArgumentParser(prog="trtcache", description="pytest-trtcache: RuntimeCache conformance")
    top.add_argument("--version", action="version", version=f"pytest-trtcache {__version__}")
    sub = top.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the conformance suite against a target (extra args go to pytest)")
    run.add_argument("--target", help="target string (default: reference)")
    run.add_argument("--peer", help="peer target for cross-target pairs")
    run.add_argument("-n", dest="numprocesses", help="pytest-xdist workers")
    run.add_argument("--report", help="write the JSON report here")
    run.add_argument("--level", help="gated levels: all, or e.g. required,security")
    run.add_argument("--known-gaps", help="known-gaps file")
    run.set_defaults(func=cmd_run)
    report = sub.add_parser("report", help="render a saved JSON report as a Markdown matrix")
    report.add_argument("path")
    report.set_defaults(func=cmd_report)
    doctor = sub.add_parser("doctor", help="what can run here, and why not")
    doctor.add_argument("--target", default=None, help="also resolve this target (default: TRTCACHE_TARGET, else the trtcache_target ini key, else reference)")
    doctor.set_defaults(func=cmd_doctor)
    sub.add_parser("selfcheck", help="run the suite against the bug zoo", add_help=False).set_defaults(func=cmd_selfcheck)
    sub.add_parser("verdicts", help="clause x version table over released wheels", add_help=False).set_defaults(func=cmd_verdicts)
    sub.add_parser("bench", help="side-by-side costs: children, pairs, plugin load, suite, lifecycle", add_help=False).set_defaults(func=cmd_bench)
    sub.add_parser("mutate", help="mutation score of the suite over a target's python files (cosmic-ray)", add_help=False).set_defaults(func=cmd_mutate)
    sub.add_parser("mutate-worker", help="a cosmic-ray worker for another machine's trtcache mutate", add_help=False).set_defaults(func=cmd_mutate_worker)
    return top


def main(argv: Optional[Sequence[str]] = None) -> int:
    ns, rest = parser().parse_known_args(argv)
    if rest and ns.func in (cmd_report, cmd_doctor):
        parser().error(f"unexpected arguments: {' '.join(rest)}")
    try:
        with interrupts.forwarding_signals():
            return ns.func(ns, rest)
    except interrupts.Interrupted as exc:
        print(f"trtcache {ns.command}: interrupted by {exc.name}; its child pytest stopped, its temp files removed", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:  # before any child started
        print(f"trtcache {ns.command}: interrupted by SIGINT", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
