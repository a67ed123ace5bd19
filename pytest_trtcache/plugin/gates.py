"""``--trtcache-level``: only failures of gated clause levels fail the run.

A failed test of an ungated clause is turned into an xfail-like outcome whose reason
starts ``ungated <level> clause failed:`` (so the run's exit code ignores it and the
terminal shows it), and is recorded for the JSON report as failed with ``gated: false``.
A failure is judged at the level of the clause its message names (``spec.violated``): an
``[A2]`` leak, or a state machine's ``[H9]``, found while checking another clause.
"""

from __future__ import annotations

from typing import Optional

import pytest

from pytest_trtcache.contract import spec

#: user_properties keys the report reads (they travel with xdist reports)
GATED = "trtcache_gated"
UNGATED_MESSAGE = "trtcache_ungated_message"
PREFIX = "ungated "


def level_of_failure(clause_id: str, report: pytest.TestReport) -> str:
    return spec.get(spec.violated(_message(report), clause_id)).level


def _message(report: pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    return crash.message if crash is not None else str(report.longrepr)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    marker = item.get_closest_marker("clause")
    if marker is None or not report.failed or report.when != "call" or hasattr(report, "wasxfail"):
        return report
    levels: Optional[frozenset[str]] = item.config.getoption("trtcache_level")
    level = level_of_failure(marker.args[0], report)
    if levels is None or level in levels:
        report.user_properties.append((GATED, True))
        return report
    message = _message(report)
    report.user_properties.append((GATED, False))
    report.user_properties.append((UNGATED_MESSAGE, message))
    report.outcome = "skipped"
    report.wasxfail = f"{PREFIX}{level} clause failed: {message}"
    return report
