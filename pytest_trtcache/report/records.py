"""The typed records of a run's results, built here and nowhere else.

A conformance run's :class:`Report` holds one :class:`TestRecord` per test, one
:class:`Cell` per clause x runtime pair and the :class:`Gate`'s findings; a mutation
run's test command writes one :class:`MutantVerdict` per mutant. All are frozen
dataclasses with enum outcomes; :mod:`.files` turns them into JSON and back (the only
place a record meets a string key), against ``schema.json`` for a report.

A field added later is optional: give it a default here (``None``, ``()``) and a
property in ``schema.json`` (not in its ``required`` list); a report written before it
existed reads back with the default.
"""

from __future__ import annotations

import enum
import platform
import sys
from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping, Optional

from pytest_trtcache.contract import spec
from pytest_trtcache.report.schema import SCHEMA_VERSION, TOOL

#: field metadata: left out of the JSON when ``None`` (a report has no ``gate`` until judged)
OMIT_NONE = {"omit_none": True}


class Named(str, enum.Enum):
    """An enum whose members are their JSON strings and print as them."""

    def __str__(self) -> str:
        return self.value


class Outcome(Named):
    """A test's outcome and a cell's verdict, worst first: a test's phases, and a cell's
    tests, take the worst that occurs. A skip, a field the target does not expose, a
    known gap: none of them reads as ``pass``."""

    FAIL = "fail"
    ERROR = "error"
    KNOWN_GAP_PASSED = "known gap passed"
    FAIL_UNGATED = "fail (not gated)"
    PASS = "pass"
    KNOWN_GAP = "known gap"
    NOT_OBSERVED = "not observed"
    SKIPPED = "skipped"

    @property
    def failing(self) -> bool:
        """A finding against the target (selfcheck counts it as a kill)."""
        return self in (Outcome.FAIL, Outcome.ERROR, Outcome.FAIL_UNGATED)

    @property
    def finding(self) -> bool:
        """Failing, or a listed known gap that passed: what a reader is shown first."""
        return self.failing or self is Outcome.KNOWN_GAP_PASSED

    @property
    def seen(self) -> bool:
        """The test saw its clauses (held, broke, or a listed known gap)."""
        return self not in (Outcome.NOT_OBSERVED, Outcome.SKIPPED)


def worst(outcomes: Iterable[Outcome]) -> Outcome:
    order = list(Outcome)
    return min(outcomes, key=order.index)


@dataclass(frozen=True)
class TestRecord:
    """One test's verdict. ``clause`` is the clause the verdict goes to (the one that
    broke, else the test's own first clause, ``tagged``)."""

    __test__ = False  # not a pytest test class, whatever its name

    nodeid: str
    clauses: tuple[str, ...]
    tagged: str
    clause: str
    level: str
    runtime: Optional[str]
    outcome: Outcome
    gated: bool = True
    message: str = ""
    step: Optional[str] = None
    expected: Optional[str] = None
    observed: Optional[str] = None
    child_stderr: Optional[str] = None
    reproduce: Optional[str] = None
    part: Optional[str] = None
    unavailable_runtime: Optional[str] = None
    duration: Optional[float] = None  # seconds, setup + call + teardown

    @classmethod
    def of(cls, nodeid: str, clauses: Iterable[str], runtime: Optional[str], outcome: Outcome, *,
           clause: Optional[str] = None, message: str = "", **details: Optional[str]) -> "TestRecord":
        """A test's record from its clauses; ``clause`` defaults to the first."""
        clauses = tuple(clauses)
        verdict_clause = clause or clauses[0]
        return cls(nodeid=nodeid, clauses=clauses, tagged=clauses[0], clause=verdict_clause, level=spec.get(verdict_clause).level,
                   runtime=runtime, outcome=Outcome(outcome), message=message, **details)

    def ungated(self) -> "TestRecord":
        """This failure, its level not gated."""
        return replace(self, outcome=Outcome.FAIL_UNGATED, gated=False)


@dataclass(frozen=True)
class Cell:
    """The verdict of one clause x runtime pair over its tests: the worst finding; else
    ``pass`` when any test saw the clause hold (``passed`` of ``tests`` says how many)."""

    clause: str
    level: str
    runtime: Optional[str]
    verdict: Outcome
    tests: int
    passed: int

    @classmethod
    def over(cls, records: Iterable[TestRecord]) -> "Cell":
        records = list(records)
        outcomes = [r.outcome for r in records]
        first = records[0]
        return cls(clause=first.clause, level=first.level, runtime=first.runtime, verdict=worst(outcomes),
                   tests=len(outcomes), passed=outcomes.count(Outcome.PASS))


def cells(tests: Iterable[TestRecord]) -> tuple[Cell, ...]:
    """Per clause x runtime pair, in the spec's clause order, runtimes as first seen."""
    grouped: dict[tuple[str, Optional[str]], list[TestRecord]] = {}
    for record in tests:
        grouped.setdefault((record.clause, record.runtime), []).append(record)
    order = {c.id: i for i, c in enumerate(spec.CLAUSES)}
    return tuple(Cell.over(records) for (clause_id, _), records in sorted(grouped.items(), key=lambda kv: order[kv[0][0]]))


class Verdict(Named):
    """The gate's verdict on a whole run, as the report shows it."""

    PASS = "PASS"
    FAIL = "FAIL"
    INCOMPLETE = "INCOMPLETE"  # never judged: the run ended before the gate, or recorded no test


@dataclass(frozen=True)
class GateRuntimes:
    declared: tuple[str, ...]
    selected: tuple[str, ...]
    unavailable: Mapping[str, str]  # runtime -> why it could not run here


@dataclass(frozen=True)
class Gate:
    """What the gate counted beyond the tests' outcomes; ``problems`` failed the run."""

    levels: tuple[str, ...]
    unobserved_required: tuple[str, ...]
    allowed_unobserved: tuple[str, ...]
    runtimes: GateRuntimes
    problems: tuple[str, ...]
    unobserved_allowed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Target:
    spec: str
    description: str
    role: str  # target | peer


@dataclass(frozen=True)
class Tool:
    name: str
    version: str


class RunStatus(Named):
    """Whether a run finished what it selected."""

    RUNNING = "running"  # written when the session starts: a process that dies leaves this
    COMPLETE = "complete"
    ENDED_EARLY = "ended early"  # fewer tests finished than were selected
    NOT_RUN = "not run"  # --collect-only


@dataclass(frozen=True)
class Run:
    """How much of what it selected a run finished, and how it narrowed the suite."""

    status: RunStatus
    selected: int = 0
    finished: int = 0
    selection: tuple[str, ...] = ()  # empty: the whole suite
    exit_status: Optional[int] = None  # the exit status the session settled on
    started: Optional[str] = None  # ISO 8601, UTC
    duration: Optional[float] = None  # seconds, session start to end
    required_not_run: tuple[str, ...] = ()  # required clauses a narrowed run left untested
    partial_allowed: bool = False  # --trtcache-allow-partial

    @property
    def subset(self) -> bool:
        return bool(self.selection)

    def describe(self) -> str:
        """One line for a summary: what ran, of what, and why it is not the whole verdict."""
        narrowed = f" (a subset: {'; '.join(self.selection)})" if self.selection else ""
        if self.required_not_run:
            allowed = ", allowed by --trtcache-allow-partial" if self.partial_allowed else ""
            narrowed += f"; partial run: {len(self.required_not_run)} required clause(s) not run ({', '.join(self.required_not_run)}{allowed})"
        if self.status is RunStatus.COMPLETE:
            return f"{self.finished} of {self.selected} selected tests finished{narrowed}"
        if self.status is RunStatus.NOT_RUN:
            return f"no test ran (--collect-only): {self.selected} selected{narrowed}"
        if self.status is RunStatus.RUNNING:
            return "the run did not finish: the process ended before its session did"
        return f"the run ended early: {self.finished} of {self.selected} selected tests finished{narrowed}"


@dataclass(frozen=True)
class Report:
    """The conformance report: what ``--trtcache-report`` writes."""

    schema_version: int
    tool: Tool
    target: Target
    versions: Mapping[str, str]
    spawner: str
    levels_gated: tuple[str, ...]
    python: str
    platform: str
    tests: tuple[TestRecord, ...]
    clauses: tuple[Cell, ...]
    gate: Optional[Gate] = field(default=None, metadata=OMIT_NONE)
    run: Optional[Run] = field(default=None, metadata=OMIT_NONE)
    peer: Optional[Target] = field(default=None, metadata=OMIT_NONE)
    profile: Optional[str] = field(default=None, metadata=OMIT_NONE)  # the lifecycle machines' hypothesis profile
    hypothesis_seed: Optional[str] = field(default=None, metadata=OMIT_NONE)  # --hypothesis-seed, when given

    @classmethod
    def of(cls, *, target: Target, versions: Mapping[str, str], spawner: str, levels_gated: Iterable[str],
           tests: Iterable[TestRecord], tool_version: str, gate: Optional[Gate] = None, run: Optional[Run] = None,
           peer: Optional[Target] = None, profile: Optional[str] = None, hypothesis_seed: Optional[str] = None) -> "Report":
        ordered = tuple(sorted(tests, key=lambda r: r.nodeid))
        return cls(schema_version=SCHEMA_VERSION, tool=Tool(TOOL, tool_version), target=target, versions=dict(versions),
                   spawner=spawner, levels_gated=tuple(sorted(levels_gated)), python=platform.python_version(),
                   platform=sys.platform, tests=ordered, clauses=cells(ordered), gate=gate, run=run, peer=peer,
                   profile=profile, hypothesis_seed=hypothesis_seed)

    def runtimes(self) -> list[str]:
        """The report's columns: runtime pairs as first seen (``-`` for none)."""
        return list(dict.fromkeys(cell.runtime or "-" for cell in self.clauses))

    def findings(self) -> list[TestRecord]:
        return [r for r in self.tests if r.outcome.finding]

    def failed(self) -> list[TestRecord]:
        """The tests that fail the run by their own outcome (a gated failure, an error)."""
        return [r for r in self.tests if r.outcome in (Outcome.FAIL, Outcome.ERROR)]

    def verdict(self) -> Verdict:
        """FAIL when a test failed the run or the gate has a problem (a runtime that could
        not run, a required clause unobserved, a stale known gap) or the session settled on
        another failing exit status; INCOMPLETE when the run did not finish what it selected,
        ran nothing (``--collect-only``), or was never judged."""
        if self.run is not None and (self.run.status is not RunStatus.COMPLETE or (self.run.required_not_run and not self.run.partial_allowed)):
            return Verdict.INCOMPLETE
        if self.gate is None:
            return Verdict.INCOMPLETE
        exited = self.run is not None and self.run.exit_status not in (None, 0)
        return Verdict.FAIL if self.gate.problems or self.failed() or exited else Verdict.PASS


class MutantOutcome(Named):
    """A mutant's verdict. The test command gives ``killed``, ``survived`` or ``error``
    (and ``baseline`` for the unmutated tree); the engine adds ``timeout`` (no kill:
    left out of the score, the run is incomplete), ``equivalent`` and ``skipped``."""

    KILLED = "killed"
    TIMEOUT = "timeout"
    SURVIVED = "survived"
    EQUIVALENT = "equivalent"
    ERROR = "error"
    SKIPPED = "skipped"
    BASELINE = "baseline"


class Phase(Named):
    """A part of one measurement: the clauses near the mutated code, the rest, or all
    of them (nothing near); ``baseline`` is the unmutated tree's whole run."""

    NEAR = "near"
    REST = "rest"
    ALL = "all"
    BASELINE = "baseline"


@dataclass(frozen=True)
class Killer:
    """What killed a mutant: the first failing test of the phase's report, or, when the
    child wrote none, its exit status and the tail of its output."""

    test: Optional[str] = None
    clause: Optional[str] = None
    outcome: Optional[Outcome] = None
    message: str = ""
    exit: Optional[int] = None
    output: str = ""

    @classmethod
    def first_of(cls, report: Report) -> Optional["Killer"]:
        found = report.findings()
        if not found:
            return None
        record = found[0]
        return cls(test=record.nodeid, clause=record.clause, outcome=record.outcome, message=record.message[:400])


@dataclass(frozen=True)
class MutantVerdict:
    """The test command's verdict on one mutant (or on the baseline), as a file."""

    verdict: MutantOutcome
    phase: Optional[Phase] = None
    function: str = ""
    near: tuple[str, ...] = ()  # the clauses tried first
    seconds: Mapping[Phase, float] = field(default_factory=dict)
    killer: Optional[Killer] = None
    why: str = ""  # error: what went wrong with the measurement
    output: str = ""  # error: the tail of the child's output
    passed: int = 0  # baseline: tests the unmutated tree passed
    left_out: Mapping[str, int] = field(default_factory=dict)  # baseline: "clause outcome" -> tests no mutant runs
