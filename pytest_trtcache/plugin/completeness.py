"""The gate counts what was not tested: a green run means every clause it ran was seen.

At the end of a run, beyond the tests' own outcomes, the run fails (exit 1) when

* a **required clause** that some collected test checks was observed by none of them
  (each was not observable on this target, or skipped): fix the target, or say so with
  ``--trtcache-allow-unobserved=IDS``;
* a **runtime the target declares** could not run here (no compiler, a broken build):
  fix it (``trtcache doctor``), or test without it with ``--trtcache-runtimes=NAMES``.

Only clauses some test of this run checks are counted, so ``--trtcache-clause`` and a
subset of files gate on what they select. The findings go to the terminal summary and
to the report's ``gate`` object (:mod:`.report`). Under xdist the controller judges, from
the records every worker sent.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

import pytest

from pytest_trtcache.contract import spec
from pytest_trtcache.plugin.keys import TARGET_KEY
from pytest_trtcache.report import schema

GATE_KEY = pytest.StashKey[dict[str, Any]]()
#: outcomes in which a test saw its clauses (held, broke, or a listed known gap)
SEEN = frozenset({schema.PASS, schema.FAIL, schema.ERROR, schema.FAIL_UNGATED, schema.KNOWN_GAP, schema.KNOWN_GAP_PASSED})


def judge(records: Iterable[dict[str, Any]], declared: list[str], selected: list[str], allowed: frozenset[str], levels: Iterable[str]) -> dict[str, Any]:
    """The report's ``gate`` object for these records (pure: tested without pytest)."""
    records = list(records)
    checked = {c for r in records for c in r["clauses"]}
    seen = {c for r in records if r["outcome"] in SEEN for c in r["clauses"]}
    unobserved = [c.id for c in spec.CLAUSES if c.level == "required" and c.id in checked - seen]
    unavailable: dict[str, str] = {}
    for r in records:
        if r.get("unavailable_runtime"):
            unavailable.setdefault(r["unavailable_runtime"], r["message"])
    problems = []
    failing = [c for c in unobserved if c not in allowed]
    if failing:
        why = {c: next((r["message"] for r in records if c in r["clauses"] and r["message"]), "") for c in failing}
        problems.append(
            f"required clause(s) {', '.join(failing)} observed by no test: "
            + "; ".join(f"{c}: {why[c]}" for c in failing if why[c])
            + f". Fix the target, or allow it explicitly: --trtcache-allow-unobserved={','.join(failing)}"
        )
    for runtime, why in unavailable.items():
        others = [n for n in selected if not runtime.endswith(n)] or ["NAME"]
        why = why.removeprefix(f"runtime {runtime} unavailable: ")
        problems.append(f"runtime {runtime} could not run here ({why}). Fix it (trtcache doctor says how), or test without it: --trtcache-runtimes={','.join(others)}")
    return {
        "levels": sorted(levels),
        "unobserved_required": [c for c in unobserved if c not in allowed],
        "unobserved_allowed": [c for c in unobserved if c in allowed],
        "allowed_unobserved": sorted(allowed),
        "runtimes": {"declared": declared, "selected": selected, "unavailable": unavailable},
        "problems": problems,
    }


def _records(config: pytest.Config) -> list[dict[str, Any]]:
    report = config.pluginmanager.get_plugin("trtcache-report")
    return list(report.records.values()) if report is not None else []


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if hasattr(config, "workerinput"):
        return  # the controller judges, from every worker's records
    from pytest_trtcache.plugin.fixtures import selected_runtimes

    records = _records(config)
    if not records:
        return
    target = config.stash[TARGET_KEY]
    gate = judge(records, list(target.runtimes), selected_runtimes(config, target),
                 frozenset(config.getoption("trtcache_allow_unobserved") or ()), config.getoption("trtcache_level") or spec.LEVELS)
    config.stash[GATE_KEY] = gate
    if gate["problems"] and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    from pytest_trtcache.plugin.gates import HARNESS_INTERFACE

    unusable = [r for r in records if r.get("step") == HARNESS_INTERFACE]
    if unusable and not any(r["outcome"] == schema.FAIL for r in records):
        session.exitstatus = pytest.ExitCode.USAGE_ERROR  # the target cannot be driven: no clause was judged


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    gate: Optional[dict[str, Any]] = config.stash.get(GATE_KEY, None)
    if gate is None:
        return
    for problem in gate["problems"]:
        terminalreporter.write_line(f"trtcache gate FAILED: {problem}", red=True, bold=True)
    if gate["unobserved_allowed"]:
        terminalreporter.write_line(f"trtcache gate: required clause(s) {', '.join(gate['unobserved_allowed'])} not observed, allowed by --trtcache-allow-unobserved", yellow=True)
