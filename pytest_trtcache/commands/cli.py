"""The ``trtcache`` command: run the installed conformance suite, render reports, diagnose.

    trtcache run [--target T] [--peer P] [-n N] [--report PATH] [--level L] [--known-gaps F] [pytest args...]
    trtcache report PATH
    trtcache doctor
    trtcache selfcheck [...]      (pytest_trtcache.commands.selfcheck, when present)
    trtcache verdicts [...]       (clause x version table over released wheels)
    trtcache bench [...]          (side-by-side costs; pytest_trtcache.commands.bench)

``run`` works from any directory: the suite is the installed ``pytest_trtcache.conformance``
package, and pytest runs in a temp dir with its own rootdir and an empty ini, so a
user's configuration does not interfere (extra pytest arguments that name files must
therefore be absolute paths).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from typing import Optional, Sequence

from pytest_trtcache.commands.suite import child_env, pytest_args


def _xdist_for(numprocesses: Optional[str]) -> None:
    """``-n`` needs pytest-xdist in the child pytest: say so instead of pytest's bare usage error."""
    import importlib.util

    if numprocesses and importlib.util.find_spec("xdist") is None:
        raise SystemExit(f"trtcache run: -n {numprocesses} needs pytest-xdist, which is not installed here (pip install pytest-xdist, or drop -n)")


def cmd_run(ns: argparse.Namespace, rest: list[str]) -> int:
    _xdist_for(ns.numprocesses)
    with tempfile.TemporaryDirectory(prefix="trtcache-run-") as workdir:
        args = pytest_args(ns, rest, workdir)
        # A child interpreter (the suite's at-exit behaviour must not mix with this one's),
        # in the temp dir, so plugins that write to the cwd (.benchmarks, ...) leave the
        # user's directory alone. Our own path options are made absolute above.
        return subprocess.call([sys.executable, "-m", "pytest", *args], cwd=workdir, env=child_env())


def cmd_report(ns: argparse.Namespace, rest: list[str]) -> int:
    from pytest_trtcache.report import files, render, schema

    try:
        data = files.load(ns.path)
    except schema.ReportError as exc:
        print(f"trtcache report: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(render.matrix(data) + "\n")
    return 0


def cmd_selfcheck(ns: argparse.Namespace, rest: list[str]) -> int:
    from pytest_trtcache.commands.selfcheck import main

    return main(rest)


def cmd_doctor(ns: argparse.Namespace, rest: list[str]) -> int:
    from pytest_trtcache.commands.doctor import main

    return main(ns.target)


def cmd_verdicts(ns: argparse.Namespace, rest: list[str]) -> int:
    from pytest_trtcache.commands.verdicts import main

    return main(rest)


def cmd_bench(ns: argparse.Namespace, rest: list[str]) -> int:
    from pytest_trtcache.commands.bench import main

    return main(rest)


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
    doctor.add_argument("--target", default=None, help="also resolve this target")
    doctor.set_defaults(func=cmd_doctor)
    sub.add_parser("selfcheck", help="run the suite against the bug zoo", add_help=False).set_defaults(func=cmd_selfcheck)
    sub.add_parser("verdicts", help="clause x version table over released wheels", add_help=False).set_defaults(func=cmd_verdicts)
    sub.add_parser("bench", help="side-by-side costs: children, pairs, plugin load, suite, lifecycle", add_help=False).set_defaults(func=cmd_bench)
    return top


def main(argv: Optional[Sequence[str]] = None) -> int:
    ns, rest = parser().parse_known_args(argv)
    if rest and ns.func in (cmd_report, cmd_doctor):
        parser().error(f"unexpected arguments: {' '.join(rest)}")
    return ns.func(ns, rest)


if __name__ == "__main__":
    sys.exit(main())
