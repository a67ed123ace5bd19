"""The one launcher of the suite's own child pytest: ``trtcache run``, ``verdicts``,
``selfcheck`` and ``bench`` describe a run as a :class:`SuiteRunSpec` and :func:`launch`
builds its command line and environment, runs it and waits for it.

The child is its own interpreter (the suite's at-exit behaviour must not mix with the
command's) and its own session (signals reach it through :mod:`.interrupts`). It runs
in the directory it is given (``trtcache run``: the caller's, so relative paths in
passed-through options land there), with an empty ini in a temp dir (a user's
configuration does not interfere) and the suite's parent as rootdir (node ids are the
same from run to run, so ``--lf`` / ``--ff`` find them in the cache dir).
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence

from pytest_trtcache.plugin.completeness import RUN_RECORD_ENV
from pytest_trtcache.spawn.environment import child_env
from pytest_trtcache.spawn.groups import group_alive, kill_group

from . import interrupts

if TYPE_CHECKING:
    from .warm import WarmSuites

#: the directory that holds ``pytest_trtcache``: a checkout, or site-packages
IMPORT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def suite_dir() -> str:
    """The conformance suite next to the imported ``pytest_trtcache``: the checkout's
    ``conformance/``, else the installed package (an editable install's finder may map
    that to another checkout)."""
    checkout = os.path.join(IMPORT_ROOT, "conformance")
    if os.path.isfile(os.path.join(checkout, "__init__.py")):
        return checkout
    spec = importlib.util.find_spec("pytest_trtcache.conformance")
    if spec is not None and spec.submodule_search_locations:
        return list(spec.submodule_search_locations)[0]
    raise SystemExit("trtcache: the conformance suite is not installed (no pytest_trtcache.conformance)")


@dataclass
class SuiteRunSpec:
    """One child pytest over the suite; ``None`` leaves an option at the plugin's default."""

    target: Optional[str] = None
    peer: Optional[str] = None
    numprocesses: Optional[str] = None
    report: Optional[str] = None
    level: Optional[str] = None
    known_gaps: Optional[str] = None
    clauses: Sequence[str] = ()
    extra: Sequence[str] = ()  # passed through to pytest, after the suite
    cwd: str = field(default_factory=os.getcwd)  # the child's invocation dir
    cache_dir: Optional[str] = None  # pytest's cache (``--lf``); None: no cache provider
    suite: str = field(default_factory=suite_dir)


@dataclass
class SuiteExit:
    returncode: int  # the child's, or INCOMPLETE / INFRASTRUCTURE when its record says so (``problem``)
    output: str  # stdout + stderr when captured, else ""
    timed_out: bool = False
    problem: str = ""  # why ``returncode`` is not the child's own


def configured_target(given: Optional[str], cwd: str) -> tuple[str, str]:
    """The target and where it came from, with the plugin's precedence: the command line,
    then ``TRTCACHE_TARGET``, then the caller's ini (:func:`caller_settings`), then the
    default: what ``trtcache run``, ``doctor`` and ``mutate`` test when not told."""
    from pytest_trtcache.targets import DEFAULT, ENV

    if given:
        return given, "the command line"
    if os.environ.get(ENV, "").strip():
        return os.environ[ENV].strip(), ENV
    ini, inipath = caller_settings(cwd, with_path=True)
    if ini.get("trtcache_target"):
        return ini["trtcache_target"], f"ini key trtcache_target in {inipath}"
    return DEFAULT, "the default"


def caller_settings(cwd: str, *, with_path: bool = False) -> Any:
    """The ``trtcache_*`` keys of the caller's pytest configuration, found from ``cwd`` as
    pytest itself finds it (``pytest.ini``, ``pyproject.toml``, ``tox.ini``,
    ``setup.cfg``), paths made absolute against that file's directory: the child runs
    with an ini of its own (nothing else of the caller's configuration interferes) that
    carries these, so ``trtcache run`` tests the target the caller's ini names."""
    from pathlib import Path

    from _pytest.config.findpaths import locate_config  # pytest's own discovery

    from pytest_trtcache.plugin.options import OPTIONS

    _, inipath, found, *_ = locate_config(Path(cwd), [Path(cwd)])
    settings = {}
    for option in OPTIONS:
        if option.ini in found:
            value = str(getattr(found[option.ini], "value", found[option.ini])).strip()
            if option.is_path and value and inipath is not None and not os.path.isabs(value):
                value = str(inipath.parent / os.path.expanduser(value))
            settings[option.ini] = value
    return (settings, inipath) if with_path else settings


def _absolute(path: str, cwd: str) -> str:
    return os.path.normpath(os.path.join(cwd, os.path.expanduser(path)))


def pytest_args(spec: SuiteRunSpec, workdir: str) -> list[str]:
    """The child's arguments after ``python -m pytest``; ``workdir`` gets its empty ini."""
    ini = os.path.join(workdir, "pytest.ini")
    with open(ini, "w", encoding="utf-8") as f:
        f.write("[pytest]\n" + "".join(f"{key} = {value}\n" for key, value in caller_settings(spec.cwd).items()))
    args = ["-p", "trtcache", "--import-mode=importlib", "--rootdir", os.path.dirname(spec.suite), "-c", ini, "-o", "console_output_style=progress"]
    args += ["-o", f"cache_dir={_absolute(spec.cache_dir, spec.cwd)}"] if spec.cache_dir else ["-p", "no:cacheprovider"]
    for option, value in (("--trtcache-target", spec.target), ("--trtcache-peer", spec.peer), ("-n", spec.numprocesses), ("--trtcache-level", spec.level)):
        if value:
            args += [option, value]
    for option, path in (("--trtcache-report", spec.report), ("--trtcache-known-gaps", spec.known_gaps)):
        if path:
            args += [option, _absolute(path, spec.cwd)]
    if spec.clauses:
        args.append("--trtcache-clause=" + ",".join(spec.clauses))
    return args + [spec.suite, *spec.extra]


def launch(spec: SuiteRunSpec, workdir: str, *, capture: bool = False, timeout: Optional[float] = None,
           env: Optional[Mapping[str, str]] = None, warm: Optional["WarmSuites"] = None) -> SuiteExit:
    """Run the child pytest and wait for it. Past ``timeout`` it is killed with its group
    (``timed_out``); after a forwarded SIGINT/SIGTERM, :class:`~.interrupts.Interrupted`
    is raised once it and its group have exited. With ``warm`` (captured runs only) the
    child is forked from that warm interpreter instead of started cold (:mod:`.warm`)."""
    interrupts.raise_if_interrupted()
    record = os.path.join(workdir, "run-record.json")
    child = child_env(env, first=[IMPORT_ROOT, os.path.dirname(spec.suite)])  # the suite's parent first: the checkout's conformance
    child[RUN_RECORD_ENV] = record
    args = pytest_args(spec, workdir)
    if warm is not None and capture:
        forked = warm.run(args, spec.cwd, child, os.path.join(workdir, "output.txt"), timeout)
        interrupts.register(forked)
        try:
            returncode, output, timed_out = forked.wait()
            _wait_for_group(forked.pid)
        finally:
            interrupts.unregister(forked)
        interrupts.raise_if_interrupted()
        returncode, problem = judged(returncode, record)
        return SuiteExit(returncode, output, timed_out, problem)
    out = subprocess.PIPE if capture else None
    proc = subprocess.Popen([sys.executable, "-m", "pytest", *args], cwd=spec.cwd, stdout=out, stderr=out,
                            text=True, env=child, start_new_session=True)
    interrupts.register(proc)
    timed_out = False
    try:
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(proc.pid, signal.SIGKILL)
            stdout, stderr = proc.communicate()
            timed_out = True
        _wait_for_group(proc.pid)
    finally:
        interrupts.unregister(proc)
    interrupts.raise_if_interrupted()
    returncode, problem = judged(proc.returncode, record)
    return SuiteExit(returncode, (stdout or "") + (stderr or ""), timed_out, problem)


def judged(returncode: int, record: str) -> tuple[int, str]:
    """The exit status a caller should see, from the child's status and the run record its
    plugin wrote: a session that never ended (a target that ended the process, a crash)
    is an incomplete run whatever the child's status; a status the session did not decide
    (a crash at interpreter exit) is the machine's error unless the session found a
    violation. No record: no session started (a usage error, ``--help``)."""
    from pytest_trtcache.plugin.completeness import INCOMPLETE, INFRASTRUCTURE
    from pytest_trtcache.report import files
    from pytest_trtcache.report.records import Run, RunStatus

    try:
        with open(record, encoding="utf-8") as f:
            run = files.from_json(Run, json.loads(f.read()))
    except FileNotFoundError:
        return returncode, ""  # no session started: a usage error, --help, --markers
    except (OSError, ValueError, TypeError, KeyError) as exc:
        return INFRASTRUCTURE, f"the suite's run record {record} is unreadable: {exc}"
    if run.status is RunStatus.RUNNING:
        return INCOMPLETE, (f"the suite's pytest ended (exit {returncode}) before its session did: something ended the process "
                            "midway (a target calling os._exit, a crash, a kill); no verdict")
    if run.exit_status is not None and returncode != run.exit_status:
        decided = run.exit_status if run.exit_status != 0 else INFRASTRUCTURE
        return decided, (f"the suite's pytest finished its session with exit {run.exit_status} but its process ended with status "
                         f"{returncode} (a crash at interpreter exit)")
    return returncode, ""


def _wait_for_group(pgid: int) -> None:
    """Let the child's own children (xdist workers) finish their teardown, then kill the rest."""
    deadline = time.monotonic() + interrupts.GRACE_S
    while group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    kill_group(pgid, signal.SIGKILL)
