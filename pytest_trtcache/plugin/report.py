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
from dataclasses import replace
from typing import Any, Optional

import pytest

from pytest_trtcache.contract import spec
from pytest_trtcache.plugin.completeness import GATE_KEY
from pytest_trtcache.plugin.gates import record_of
from pytest_trtcache.plugin.known_gaps import STALE_KEY, Gap
from pytest_trtcache.report import files, render
from pytest_trtcache.report.records import Gate, Report, Target, TestRecord, worst

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
        self.path: Optional[str] = config.getoption("trtcache_report")
        self.summary: Optional[str] = os.environ.get(SUMMARY) or None
        _check_paths(self.path, self.summary)  # before any test runs

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        record = record_of(report)
        if record is None:
            return
        # The worst phase wins: an error in setup or teardown, a failure or skip in call.
        held = self.records.get(report.nodeid)
        if held is None or worst([held.outcome, record.outcome]) is not held.outcome:
            self.records[report.nodeid] = record

    def data(self) -> Report:
        from pytest_trtcache.plugin.keys import TARGET_KEY

        import pytest_trtcache

        target = self.config.stash[TARGET_KEY]
        return Report.of(
            target=Target(spec=target.spec, description=target.description, role=target.role),
            versions=versions(target), spawner=_spawner(self.config),
            levels_gated=self.config.getoption("trtcache_level") or spec.LEVELS,
            tests=self.records.values(), tool_version=pytest_trtcache.__version__,
            gate=_with_stale_gaps(self.config.stash.get(GATE_KEY, None), self.config.stash.get(STALE_KEY, [])),
        )

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if not self.path and not (self.summary and self.records):
            return
        data = self.data()
        if self.path:
            files.write_report(self.path, data)
        if self.summary and self.records:
            with open(self.summary, "a", encoding="utf-8") as f:
                f.write(render.matrix(data) + "\n")


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
    return found
