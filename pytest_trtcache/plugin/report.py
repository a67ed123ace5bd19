"""The conformance report: the verdict records of :mod:`.gates`, one per test.

``--trtcache-report=PATH`` writes them as the JSON document of
:mod:`pytest_trtcache.report.schema` at the end of the session (atomically), with the
target, the versions involved and the spawner; when ``GITHUB_STEP_SUMMARY`` is set the
Markdown matrix (:func:`pytest_trtcache.report.render.matrix`) is appended there. Both
paths are checked when the plugin is configured, so a bad one is a usage error before
any test runs. Registered on the controller only (as pytest's junitxml): under xdist it
gets every worker's records through ``pytest_runtest_logreport`` and writes alone.
"""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import replace
from typing import Any, Optional

import pytest

from pytest_trtcache.contract import spec
from pytest_trtcache.plugin.completeness import GATE_KEY, INFRASTRUCTURE, RUN_KEY
from pytest_trtcache.plugin.gates import record_of
from pytest_trtcache.plugin.known_gaps import STALE_KEY, Gap
from pytest_trtcache.report import files, render
from pytest_trtcache.report.records import Gate, Report, Run, RunStatus, Target, TestRecord, worst

SUMMARY = "GITHUB_STEP_SUMMARY"


def _check_paths(path: Optional[str], summary: Optional[str]) -> None:
    if path:
        why = files.unwritable(path)
        if why:
            raise pytest.UsageError(f"--trtcache-report={path}: cannot write the report there: {why}; create the directory or choose another path")
    if summary:
        why = files.unwritable(summary, append=True)
        if why:
            raise pytest.UsageError(f"{SUMMARY}={summary}: cannot append the step summary there: {why}; point it at a writable file or unset it")


class ReportPlugin:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.records: dict[str, TestRecord] = {}
        self.durations: dict[str, float] = {}
        self.path: Optional[str] = config.getoption("trtcache_report")
        self.summary: Optional[str] = os.environ.get(SUMMARY) or None
        _check_paths(self.path, self.summary)  # before any test runs
        if self.path:
            # Replaced at the end: a process that dies midway leaves a report that says
            # it did not finish, never an older report of another run.
            self._write(self.path, lambda path: files.write_report(path, self.data()))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        record = record_of(report)
        if record is None:
            return
        self.durations[report.nodeid] = self.durations.get(report.nodeid, 0.0) + report.duration
        # The worst phase wins: an error in setup or teardown, a failure or skip in call.
        held = self.records.get(report.nodeid)
        if held is None or worst([held.outcome, record.outcome]) is not held.outcome:
            self.records[report.nodeid] = record

    def data(self) -> Report:
        from pytest_trtcache.plugin.keys import TARGET_KEY

        import pytest_trtcache

        from pytest_trtcache.plugin.keys import PEER_KEY, PROFILE_KEY

        target, peer = self.config.stash[TARGET_KEY], self.config.stash.get(PEER_KEY, None)
        seed = getattr(self.config.option, "hypothesis_seed", None)
        return Report.of(
            target=Target(spec=target.spec, description=target.description, role=target.role),
            peer=Target(spec=peer.spec, description=peer.description, role=peer.role) if peer is not None else None,
            versions=versions(target), spawner=_spawner(self.config),
            levels_gated=self.config.getoption("trtcache_level") or spec.LEVELS,
            tests=[replace(r, duration=round(self.durations.get(r.nodeid, 0.0), 3)) for r in self.records.values()],
            tool_version=pytest_trtcache.__version__, gate=_with_stale_gaps(self.config.stash.get(GATE_KEY, None), self.config.stash.get(STALE_KEY, [])), run=self._run(),
            profile=self.config.stash.get(PROFILE_KEY, None), hypothesis_seed=None if seed is None else str(seed),
        )

    def _run(self) -> Optional[Run]:
        from pytest_trtcache.plugin.completeness import session_of

        run = self.config.stash.get(RUN_KEY, None)
        session = session_of(self.config)
        if run is None or session is None or run.status is RunStatus.RUNNING:
            return run
        return replace(run, exit_status=int(session.exitstatus))

    @pytest.hookimpl(trylast=True)  # after the gate and the known gaps have judged
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if not self.path and not (self.summary and self.records):
            return
        data = self.data()
        failed = []
        if self.path:
            failed += self._write(self.path, lambda path: files.write_report(path, data))
        if self.summary and self.records:
            failed += self._write(self.summary, lambda path: _append(path, render.matrix(data) + "\n"))
        if failed and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = INFRASTRUCTURE

    def _write(self, path: str, write: Any) -> list[str]:
        """Write, or say in one line why not (a full disk is the machine's fault, not the
        target's: exit 7, never 1)."""
        try:
            write(path)
            return []
        except OSError as exc:
            line = f"trtcache: cannot write {path}: {exc.strerror or exc}"
            reporter = self.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.write_line(line, red=True, bold=True)
            else:
                print(line, file=sys.stderr)
            return [line]


def _append(path: str, text: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)


def _with_stale_gaps(gate: Optional[Gate], stale: "list[Gap]") -> Optional[Gate]:
    """The gate's problems and the known-gaps entries that went stale (they failed the run
    too: ``known_gaps.Ledger``), so the report and its matrix name every reason."""
    if gate is None or not stale:
        return gate
    found = tuple(f"stale known gap {gap} ({gap.where}): every test it matches passed; remove the entry" for gap in stale)
    return replace(gate, problems=gate.problems + found)


def _spawner(config: pytest.Config) -> str:
    """The spawner children ran under: the one this process used (with its exec fallback,
    if it fell back), else the requested mode (xdist controller, or no child spawned)."""
    from pytest_trtcache.plugin.keys import SPAWNER_KEY

    used = config.stash.get(SPAWNER_KEY, None)
    if used is not None:
        return used.name + (" (fell back to exec)" if getattr(used, "fallback", None) is not None else "")
    return f"{config.getoption('trtcache_spawn')} (requested)"


def versions(target: Any) -> dict[str, str]:
    from importlib import metadata

    import pytest_trtcache

    found = {"python": platform.python_version(), "pytest": pytest.__version__, "pytest-trtcache": pytest_trtcache.__version__}
    try:
        found["torch"] = metadata.version("torch")
    except metadata.PackageNotFoundError:
        found["torch"] = "not installed"
    found.update(target.versions)
    if target.spec.startswith("module:"):  # the distribution that provides the module, when one does
        top = target.spec.partition(":")[2].split(".")[0]
        for dist in metadata.packages_distributions().get(top, ()):
            found.setdefault(dist, metadata.version(dist))
    return found
