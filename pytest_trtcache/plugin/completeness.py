"""The gate counts what was not tested: a green run means every clause it ran was seen.

At the end of a run, beyond the tests' own outcomes, the run fails (exit 1) when

* a **required clause** that some collected test checks was observed by none of them
  (each was not observable on this target, or skipped): fix the target, or say so with
  ``--trtcache-allow-unobserved=IDS``;
* a **runtime the target declares** could not run here (no compiler, a broken build):
  fix it (``trtcache doctor``), or test without it with ``--trtcache-runtimes=NAMES``.

Only clauses some test of this run checks are counted, so ``--trtcache-clause`` and a
subset of files gate on what they select; the report's ``run`` says the run was a subset
and how it was narrowed (:func:`selection_of`), so a subset never reads as the whole
verdict. A run that ends before every selected test finished (``-x``, ``--maxfail``, an
interrupt) exits :data:`INCOMPLETE` when nothing failed. ``trtcache run`` (and every
command that launches the suite) also learns through :data:`RUN_RECORD_ENV` whether the
child pytest finished its session at all: a target that ends the process (``os._exit``)
leaves the record saying ``running``. The findings go to the terminal summary and
to the report's ``gate`` (:mod:`.report`). Registered on the controller only (under
xdist it judges from the records every worker sent).
"""

from __future__ import annotations

import datetime
import os
import time
from dataclasses import replace
from typing import Any, Iterable, Optional

import pytest

from pytest_trtcache.contract import spec
from pytest_trtcache.plugin.keys import TARGET_KEY
from pytest_trtcache.report.records import Gate, GateRuntimes, Outcome, Run, RunStatus, TestRecord

GATE_KEY = pytest.StashKey[Gate]()
RUN_KEY = pytest.StashKey[Run]()
_COUNTS_KEY = pytest.StashKey[dict]()
_SESSION_KEY = pytest.StashKey[pytest.Session]()
#: exit statuses beyond pytest's own 0-5 (docs/ci.md)
INCOMPLETE = 6
INFRASTRUCTURE = 7
#: set by the launcher (:mod:`pytest_trtcache.launch.suite`) for its child pytest: where
#: the plugin writes its :class:`Run` when the session starts and once it has ended
RUN_RECORD_ENV = "TRTCACHE_RUN_RECORD"


def selection_of(config: pytest.Config) -> tuple[str, ...]:
    """How this run narrows the suite (empty: all of it), from the options that narrow it."""
    found = []
    clauses = config.getoption("trtcache_clause")
    if clauses:
        found.append("--trtcache-clause=" + ",".join(clauses))
    for flag, dest in (("-k", "keyword"), ("-m", "markexpr")):
        value = getattr(config.option, dest, "")
        if value:
            found.append(f"{flag} {value}")
    deselect = getattr(config.option, "deselect", None) or []
    if deselect:
        found.append(f"--deselect ({len(deselect)} node ids)")
    if getattr(config.option, "lf", False) or getattr(config.option, "last_failed_no_failures", "all") == "none":
        found.append("--lf")
    narrowed = [arg for arg in config.args if "::" in arg or arg.endswith(".py")]
    if narrowed:
        found.append("node ids or files: " + " ".join(narrowed))
    return tuple(found)


#: selections that narrow the suite on purpose, clause by clause or test by test
_DELIBERATE = ("--trtcache-clause", "--deselect")


def required_not_run(selection: Iterable[str], records: Iterable[TestRecord]) -> tuple[str, ...]:
    """The required clauses no test of a run narrowed by ``-k``, ``-m``, ``--lf`` or node
    ids checked (empty when the narrowing was deliberate or left none out)."""
    if not any(not part.startswith(_DELIBERATE) for part in selection):
        return ()
    checked = {c for r in records for c in r.clauses}
    return tuple(c.id for c in spec.CLAUSES if c.level == "required" and c.id not in checked)


def write_run_record(run: Run) -> None:
    path = os.environ.get(RUN_RECORD_ENV)
    if path:
        from pytest_trtcache.report import files

        files.write_atomic(path, files.dumps(run))


def session_of(config: pytest.Config) -> Optional[pytest.Session]:
    return config.stash.get(_SESSION_KEY, None)


class RunLedger:
    """Counts what the run selected and finished (on the controller: under xdist from the
    workers' collections and reports) and tells the launcher how the session ended."""

    def __init__(self, config: pytest.Config) -> None:
        # Registered when the plugin switches on: at configure time, or during collection
        # when a test first needs it (after the session started).
        self.config = config
        config.stash[_COUNTS_KEY] = {"selected": 0, "finished": 0}
        config.stash[RUN_KEY] = Run(RunStatus.RUNNING, selection=selection_of(config), started=_now())
        self.started = time.monotonic()

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.config.stash[_SESSION_KEY] = session
        self.started = time.monotonic()
        self.config.stash[RUN_KEY] = replace(self.config.stash[RUN_KEY], started=_now())
        write_run_record(self.config.stash[RUN_KEY])  # no session (--help, --markers): no record

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.config.stash[_SESSION_KEY] = session
        self._selected(len(session.items))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list) -> None:
        self._selected(len(ids))

    def _selected(self, count: int) -> None:
        counts = self.config.stash[_COUNTS_KEY]
        counts["selected"] = max(counts["selected"], count)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "teardown":
            self.config.stash[_COUNTS_KEY]["finished"] += 1

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """The launcher's record, last: the exit status every hook has settled on."""
        session = config.stash.get(_SESSION_KEY, None)
        run = config.stash.get(RUN_KEY, None)
        if session is not None and run is not None and run.status is not RunStatus.RUNNING:
            write_run_record(replace(run, exit_status=int(session.exitstatus)))


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _run_of(session: pytest.Session) -> Run:
    config = session.config
    counts = config.stash[_COUNTS_KEY]
    selected, finished = counts["selected"], counts["finished"]
    if config.option.collectonly:
        status = RunStatus.NOT_RUN
    elif finished < selected or session.exitstatus == pytest.ExitCode.INTERRUPTED:
        status = RunStatus.ENDED_EARLY
    else:
        status = RunStatus.COMPLETE
    ledger = config.pluginmanager.get_plugin("trtcache-run")
    started = config.stash[RUN_KEY].started
    duration = round(time.monotonic() - ledger.started, 3) if ledger is not None else None
    return Run(status, selected=selected, finished=finished, selection=selection_of(config), started=started, duration=duration)


def judge(records: Iterable[TestRecord], declared: list[str], selected: list[str], allowed: frozenset[str], levels: Iterable[str]) -> Gate:
    """The report's ``gate`` for these records (pure: tested without pytest)."""
    records = list(records)
    checked = {c for r in records for c in r.clauses}
    seen = {c for r in records if r.outcome.seen for c in r.clauses}
    unobserved = [c.id for c in spec.CLAUSES if c.level == "required" and c.id in checked - seen]
    unavailable: dict[str, str] = {}
    for r in records:
        if r.unavailable_runtime:
            unavailable.setdefault(r.unavailable_runtime, r.message)
    problems = []
    failing = [c for c in unobserved if c not in allowed]
    if failing:
        why = {c: next((r.message for r in records if c in r.clauses and r.message), "") for c in failing}
        problems.append(
            f"required clause(s) {', '.join(failing)} observed by no test: "
            + "; ".join(f"{c}: {why[c]}" for c in failing if why[c])
            + f". Fix the target, or allow it explicitly: --trtcache-allow-unobserved={','.join(failing)}"
        )
    for runtime, why in unavailable.items():
        others = [n for n in selected if not runtime.endswith(n)] or ["NAME"]
        why = why.removeprefix(f"runtime {runtime} unavailable: ")
        problems.append(f"runtime {runtime} could not run here ({why}). Fix it (trtcache doctor says how), or test without it: --trtcache-runtimes={','.join(others)}")
    return Gate(
        levels=tuple(sorted(levels)),
        unobserved_required=tuple(c for c in unobserved if c not in allowed),
        unobserved_allowed=tuple(c for c in unobserved if c in allowed),
        allowed_unobserved=tuple(sorted(allowed)),
        runtimes=GateRuntimes(declared=tuple(declared), selected=tuple(selected), unavailable=unavailable),
        problems=tuple(problems),
    )


def _records(config: pytest.Config) -> list[TestRecord]:
    report = config.pluginmanager.get_plugin("trtcache-report")
    return list(report.records.values()) if report is not None else []


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from pytest_trtcache.plugin.fixtures import selected_runtimes

    config = session.config
    config.stash[_SESSION_KEY] = session
    records = _records(config)
    run = _run_of(session)
    if run.status is RunStatus.COMPLETE and records:
        allowed = bool(config.getoption("trtcache_allow_partial"))
        run = replace(run, required_not_run=required_not_run(run.selection, records), partial_allowed=allowed)
    config.stash[RUN_KEY] = run
    partial = run.required_not_run and not run.partial_allowed
    if (run.status is RunStatus.ENDED_EARLY or partial) and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = INCOMPLETE
    if not records:
        return
    target = config.stash[TARGET_KEY]
    gate = judge(records, list(target.runtimes), selected_runtimes(config, target),
                 frozenset(config.getoption("trtcache_allow_unobserved") or ()), config.getoption("trtcache_level") or spec.LEVELS)
    config.stash[GATE_KEY] = gate
    if gate.problems and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    from pytest_trtcache.plugin.gates import HARNESS_INTERFACE

    unusable = [r for r in records if r.step == HARNESS_INTERFACE]
    if unusable and not any(r.outcome is Outcome.FAIL for r in records):
        session.exitstatus = pytest.ExitCode.USAGE_ERROR  # the target cannot be driven: no clause was judged


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    run: Optional[Run] = config.stash.get(RUN_KEY, None)
    if run is not None and (run.subset or run.status is not RunStatus.COMPLETE):
        incomplete = run.status is RunStatus.ENDED_EARLY or bool(run.required_not_run and not run.partial_allowed)
        terminalreporter.write_line(f"trtcache: {'INCOMPLETE: ' if incomplete else 'SUBSET: ' if run.subset else ''}{run.describe()}"
                                    + ("; not a verdict on the whole contract" if run.subset or incomplete else "")
                                    + (". Narrow on purpose with --trtcache-clause=IDS, or allow it: --trtcache-allow-partial"
                                       if run.required_not_run and not run.partial_allowed else ""),
                                    yellow=not incomplete, red=incomplete, bold=incomplete)
    gate: Optional[Gate] = config.stash.get(GATE_KEY, None)
    if gate is None:
        return
    for problem in gate.problems:
        terminalreporter.write_line(f"trtcache gate FAILED: {problem}", red=True, bold=True)
    if gate.unobserved_allowed:
        terminalreporter.write_line(f"trtcache gate: required clause(s) {', '.join(gate.unobserved_allowed)} not observed, allowed by --trtcache-allow-unobserved", yellow=True)
