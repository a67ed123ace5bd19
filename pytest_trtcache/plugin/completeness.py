"""The gate counts what was not tested: a green run means every clause it ran was seen.

At the end of a run, beyond the tests' own outcomes, the run fails (exit 1) when

* a **required clause** that some collected test checks was observed by none of them
  (each was not observable on this target, or skipped): fix the target, or say so with
  ``--trtcache-allow-unobserved=IDS``;
* a **runtime the target declares** could not run here (no compiler, a broken build):
  fix it (``trtcache doctor``), or test without it with ``--trtcache-runtimes=NAMES``.

Only clauses some test of this run checks are counted, so ``--trtcache-clause`` and a
subset of files gate on what they select. The findings go to the terminal summary and
to the report's ``gate`` (:mod:`.report`). Registered on the controller only (under
xdist it judges from the records every worker sent).
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

import pytest

from pytest_trtcache.contract import spec
from pytest_trtcache.plugin.keys import TARGET_KEY
from pytest_trtcache.report.records import Gate, GateRuntimes, TestRecord

GATE_KEY = pytest.StashKey[Gate]()


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
    records = _records(config)
    if not records:
        return
    target = config.stash[TARGET_KEY]
    gate = judge(records, list(target.runtimes), selected_runtimes(config, target),
                 frozenset(config.getoption("trtcache_allow_unobserved") or ()), config.getoption("trtcache_level") or spec.LEVELS)
    config.stash[GATE_KEY] = gate
    if gate.problems and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    gate: Optional[Gate] = config.stash.get(GATE_KEY, None)
    if gate is None:
        return
    for problem in gate.problems:
        terminalreporter.write_line(f"trtcache gate FAILED: {problem}", red=True, bold=True)
    if gate.unobserved_allowed:
        terminalreporter.write_line(f"trtcache gate: required clause(s) {', '.join(gate.unobserved_allowed)} not observed, allowed by --trtcache-allow-unobserved", yellow=True)
