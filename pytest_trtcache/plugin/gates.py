"""A test's outcome becomes one verdict record; ``--trtcache-level`` gates on it.

The one ``pytest_runtest_makereport`` hook reads the exception itself, never its text:
a :class:`~pytest_trtcache.contract.verdict.ClauseViolation` gives the clause that broke
(``clauses[0]``: an ``[A2]`` leak found while checking H5 goes to A2), its step,
expected, observed and child stderr; :class:`~pytest_trtcache.targets.NotObservable`
and :class:`~pytest_trtcache.targets.RuntimeUnavailable` become skips recorded as
``not observed`` / ``skipped``; any other exception is a failure of the test's own
first clause, except a :class:`~pytest_trtcache.targets.engine_wrapper.HarnessInterfaceError`
(the target's wrapper is not shaped as the harness calls it): an ``error`` record at step
``harness interface``, and the run exits 4 (usage) when nothing else failed.
The record (a :class:`~pytest_trtcache.report.records.TestRecord`) rides on
``report.user_properties`` as ``("trtcache", its JSON)``, so it reaches an xdist controller
with the report; :func:`record_of` reads it back.

The JUnit XML gets ``trtcache_clause``, ``trtcache_runtime``, ``trtcache_level`` and
``trtcache_outcome`` properties on each clause-tagged test case (:data:`JUNIT`). pytest's
junitxml writes the teardown report's ``user_properties``, and every report copies
``item.user_properties`` when it is made, so they go on the item as soon as a phase has a
record (before the teardown report exists; a teardown error updates that report too), and
an xdist worker ships them with the teardown report.

A failure of a clause whose level is not gated becomes an xfail-like outcome (reason
``ungated <level> clause failed: ...``): the exit code ignores it, the terminal shows it,
the record says ``fail (not gated)``.
"""

from __future__ import annotations

from typing import Optional

import pytest

from pytest_trtcache.contract import spec
from pytest_trtcache.contract.verdict import ClauseViolation, describe
from pytest_trtcache.report import files, render
from pytest_trtcache.report.records import Outcome, TestRecord, worst
from pytest_trtcache.targets.base import NotObservable, RuntimeUnavailable
from pytest_trtcache.targets.engine_wrapper import HarnessInterfaceError

#: the user_properties key of a phase's verdict record
RECORD = "trtcache"
#: the JUnit XML properties of a clause-tagged test case
JUNIT = ("trtcache_clause", "trtcache_runtime", "trtcache_level", "trtcache_outcome")
PREFIX = "ungated "
#: the step of a record whose test could not drive the target (targets/engine_wrapper.py)
HARNESS_INTERFACE = "harness interface"


def clauses_of(item: pytest.Item) -> tuple[str, ...]:
    marker = item.get_closest_marker("clause")
    return tuple(marker.args) if marker is not None else ()


def runtime_of(item: pytest.Item) -> Optional[str]:
    """The runtime (or runtime pair) id a test is parametrized with."""
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return None
    for name in ("runtime_pair", "runtime"):
        if name in callspec.params:
            value = callspec.params[name]
            return value if isinstance(value, str) else getattr(value, "id", str(value))
    return None


def _skip_reason(report: pytest.TestReport) -> str:
    if isinstance(report.longrepr, tuple):  # pytest renders a skip's reason as "Skipped: <reason>"
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    return str(report.longrepr or "")


def _as_skip(report: pytest.TestReport, exc: BaseException, reason: str) -> None:
    """Report a test that could not look (NotObservable, RuntimeUnavailable) as pytest
    reports a skip, at the line that raised it."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    path, lineno = (tb.tb_frame.f_code.co_filename, tb.tb_lineno) if tb is not None else (str(report.fspath), -1)
    report.outcome = "skipped"
    report.longrepr = (path, lineno, f"Skipped: {reason}")


def verdict(item: pytest.Item, report: pytest.TestReport, call: pytest.CallInfo[None], clauses: tuple[str, ...]) -> Optional[TestRecord]:
    """This phase's record, or None for a setup or teardown that passed (it adds nothing).
    Its runtime is the test's parameter (the report's column), else the exception's."""
    nodeid, runtime = report.nodeid, runtime_of(item)
    exc = call.excinfo.value if call.excinfo is not None else None
    if isinstance(exc, pytest.skip.Exception) and isinstance(exc.__cause__, (NotObservable, RuntimeUnavailable)):
        exc = exc.__cause__  # fixtures' pytest_runtest_call made it a skip, keeping it as the cause
    known_gap = hasattr(report, "wasxfail")
    if report.passed:
        if report.when != "call":
            return None
        outcome = Outcome.KNOWN_GAP_PASSED if known_gap else Outcome.PASS
        return TestRecord.of(nodeid, clauses, runtime, outcome, message=report.wasxfail if known_gap else "")
    if known_gap:
        return TestRecord.of(nodeid, clauses, runtime, Outcome.KNOWN_GAP, message=report.wasxfail)
    if isinstance(exc, NotObservable):
        _as_skip(report, exc, f"not observable: {exc}")
        return TestRecord.of(nodeid, clauses, runtime or exc.runtime, Outcome.NOT_OBSERVED, message=str(exc), part=exc.part)
    if isinstance(exc, RuntimeUnavailable):
        message = f"runtime {exc.runtime or ''} unavailable: {exc}".replace("runtime  ", "runtime ")
        _as_skip(report, exc, message)
        return TestRecord.of(nodeid, clauses, runtime, Outcome.SKIPPED, message=message, unavailable_runtime=exc.runtime)
    if report.skipped:
        return TestRecord.of(nodeid, clauses, runtime, Outcome.SKIPPED, message=_skip_reason(report))
    if exc is None:  # a failed call with no exception: a strict known gap that passed
        return TestRecord.of(nodeid, clauses, runtime, Outcome.KNOWN_GAP_PASSED, message=str(report.longrepr))
    if isinstance(exc, HarnessInterfaceError):  # the harness cannot drive the target: a usage error, not the clause's
        return TestRecord.of(nodeid, clauses, runtime, Outcome.ERROR, message=str(exc), step=HARNESS_INTERFACE)
    if isinstance(exc, ClauseViolation):
        broken = exc.clause if exc.clause in spec.BY_ID else clauses[0]
        listed = list(dict.fromkeys([*clauses, broken]))
        return TestRecord.of(
            nodeid, listed, runtime or exc.runtime, Outcome.FAIL, clause=broken, message=exc.finding(), step=exc.step,
            expected=describe(exc.expected) if exc.compared else None, observed=describe(exc.observed) if exc.compared else None,
            child_stderr=exc.child_stderr or None, reproduce=exc.reproduce,
        )
    outcome = Outcome.FAIL if report.when == "call" else Outcome.ERROR
    assert call.excinfo is not None
    return TestRecord.of(nodeid, clauses, runtime, outcome, message=call.excinfo.exconly(), step=f"test {report.when}")


def gate(item: pytest.Item, report: pytest.TestReport, record: TestRecord) -> TestRecord:
    """Turn a call's failure of an ungated level into an xfail-like outcome."""
    levels: Optional[frozenset[str]] = item.config.getoption("trtcache_level")
    if record.outcome is not Outcome.FAIL or report.when != "call" or levels is None or record.level in levels:
        return record
    record = record.ungated()
    report.outcome = "skipped"
    report.wasxfail = f"{PREFIX}{record.level} clause failed: {render.headline(record)}"
    return record


def record_of(report: pytest.TestReport) -> Optional[TestRecord]:
    """The verdict record a phase's report carries (from this process or an xdist worker)."""
    data = next((value for key, value in report.user_properties if key == RECORD), None)
    return files.from_json(TestRecord, data) if data is not None else None


def _junit_properties(properties: list, record: TestRecord) -> None:
    """Set the JUnit properties in ``properties`` (a list of pairs) to ``record``'s, the
    worst outcome so far winning."""
    held = dict(properties)
    if JUNIT[-1] in held and worst([Outcome(held[JUNIT[-1]]), record.outcome]) is not record.outcome:
        return
    properties[:] = [(k, v) for k, v in properties if k not in JUNIT]
    properties += zip(JUNIT, (record.clause, record.runtime or "", record.level, record.outcome.value))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    clauses = clauses_of(item)
    if not clauses or any(c not in spec.BY_ID for c in clauses):
        return report
    record = verdict(item, report, call, clauses)
    if record is not None:
        record = gate(item, report, record)
        report.user_properties.append((RECORD, files.to_json(record)))
        _junit_properties(item.user_properties, record)
        if report.when == "teardown":  # made already: the one junitxml reads
            _junit_properties(report.user_properties, record)
    return report
