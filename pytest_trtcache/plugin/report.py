"""The conformance report: one record per test (clause, level, runtime, outcome).

``--trtcache-report=PATH`` writes it as JSON at the end of the session, with the
target, the versions involved and the spawner; when ``GITHUB_STEP_SUMMARY`` is set the
Markdown matrix (:mod:`.matrix`) is appended there. Under xdist the controller gets
every worker's reports through ``pytest_runtest_logreport`` and writes the file alone.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from typing import Any, Optional

import pytest

from pytest_trtcache.plugin import gates
from pytest_trtcache.contract import spec

NOT_OBSERVABLE = "not observable: "


def _runtime_of(item: pytest.Item) -> Optional[str]:
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return None
    for name in ("runtime_pair", "runtime"):
        if name in callspec.params:
            value = callspec.params[name]
            return value if isinstance(value, str) else getattr(value, "id", str(value))
    return None


def _message(report: pytest.TestReport) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        # pytest renders a skip's reason as "Skipped: <reason>"
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    if report.failed:
        crash = getattr(report.longrepr, "reprcrash", None)
        return crash.message if crash is not None else str(report.longrepr)
    return ""


class ReportPlugin:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.records: dict[str, dict[str, Any]] = {}

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        marker = item.get_closest_marker("clause")
        if marker is not None:
            report.user_properties.append(("trtcache_clause", marker.args[0]))
            report.user_properties.append(("trtcache_runtime", _runtime_of(item)))
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = dict(report.user_properties)
        clause_id = props.get("trtcache_clause")
        if clause_id is None:
            return
        record = self.records.setdefault(
            report.nodeid,
            {
                "nodeid": report.nodeid,
                "clause": clause_id,
                "level": spec.get(clause_id).level,
                "runtime": props.get("trtcache_runtime"),
                "outcome": "passed",
                "message": "",
                "gated": True,
            },
        )
        # The worst phase wins: an error in setup/teardown, a failure or skip in call.
        if props.get(gates.GATED) is False:
            record["outcome"], record["gated"] = "failed", False
            record["message"] = props.get(gates.UNGATED_MESSAGE, "")
        elif report.failed:
            record["outcome"] = "failed" if report.when == "call" else "error"
            record["message"] = _message(report)
        if record["outcome"] in ("failed", "error"):
            # The verdict goes to the clause that broke (``[A2]`` while checking H5...).
            broken = spec.violated(record["message"], clause_id)
            if broken != clause_id:
                record.update(clause=broken, level=spec.get(broken).level, tagged=clause_id)
        elif report.skipped and record["outcome"] == "passed":
            xfail = hasattr(report, "wasxfail")
            record["outcome"] = "xfailed" if xfail else "skipped"
            record["message"] = report.wasxfail if xfail else _message(report)
            if record["message"].startswith(NOT_OBSERVABLE):
                record["outcome"] = "not-observable"
        elif report.passed and hasattr(report, "wasxfail"):
            record["outcome"] = "xpassed"

    def data(self) -> dict[str, Any]:
        from pytest_trtcache.plugin.keys import TARGET_KEY

        target = self.config.stash[TARGET_KEY]
        return {
            "target": target.spec,
            "description": target.description,
            "versions": versions(target),
            "spawner": _spawner(self.config),
            "levels_gated": sorted(self.config.getoption("trtcache_level") or spec.LEVELS),
            "python": platform.python_version(),
            "platform": sys.platform,
            "tests": sorted(self.records.values(), key=lambda r: r["nodeid"]),
        }

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if hasattr(self.config, "workerinput"):
            return  # the controller writes, from the reports it received
        path = self.config.getoption("trtcache_report")
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if not path and not (summary and self.records):
            return
        data = self.data()
        if path:
            with open(path, "w", encoding="utf-8") as f:
                json.dump(data, f, indent=1)
        if summary and self.records:
            from pytest_trtcache.plugin.matrix import render

            with open(summary, "a", encoding="utf-8") as f:
                f.write(render(data) + "\n")


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
