"""One mutation run's result: each mutant's verdict, the score, the JSON form.

score = killed / (measured - equivalent), where ``measured`` are the mutants the run
executed (all generated ones, or the ``--sample``). Neither a ``timeout`` (the suite
did not finish within the per-mutant limit: nothing was measured) nor an ``error`` (the
measurement itself went wrong: a worker died, the target imported from outside the
tree) is a kill or a survival: both are left out of the score and make the run
incomplete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from pytest_trtcache.report import files
from pytest_trtcache.report.records import Killer, MutantOutcome, MutantVerdict, Phase
from pytest_trtcache.report.schema import ReportError

SCHEMA = "pytest-trtcache/mutate/1"
VERDICTS = tuple(v for v in MutantOutcome if v is not MutantOutcome.BASELINE)
_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@")


@dataclass
class Mutant:
    job_id: str
    file: str  # tree-relative
    source: str  # the original file the mutant was made from
    operator: str
    occurrence: int
    line: Optional[int] = None
    diff: str = ""
    verdict: MutantOutcome = MutantOutcome.SKIPPED
    phase: Optional[Phase] = None
    function: str = ""
    near: tuple[str, ...] = ()  # the clauses tried first
    killer: Optional[Killer] = None
    seconds: Mapping[Phase, float] = field(default_factory=dict)
    why: str = ""  # equivalent: the documented reason; error: what went wrong

    def changed(self) -> tuple[list[str], list[str]]:
        """The diff's removed and added lines, without their +/- marks."""
        removed, added = [], []
        for line in self.diff.splitlines():
            if line.startswith(("---", "+++")):
                continue
            if line.startswith("-"):
                removed.append(line[1:])
            elif line.startswith("+"):
                added.append(line[1:])
        return removed, added


def first_changed_line(diff: str) -> Optional[int]:
    """The original file's line number of a unified diff's first removed line."""
    number = None
    for line in diff.splitlines():
        hunk = _HUNK.match(line)
        if hunk:
            number = int(hunk.group(1))
            continue
        if number is None or line.startswith(("---", "+++")):
            continue
        if line.startswith("-"):
            return number
        if not line.startswith("+"):
            number += 1
    return None


def verdict_of(output: str, test_outcome: Optional[str], worker_outcome: str) -> MutantVerdict:
    """Our verdict from cosmic-ray's result and the test command's output, which is one
    :class:`MutantVerdict` document (:mod:`.run_one`)."""
    if worker_outcome == "skipped":
        return MutantVerdict(MutantOutcome.SKIPPED)
    if output.strip() == "timeout" and test_outcome == "killed":
        return MutantVerdict(MutantOutcome.TIMEOUT)
    if worker_outcome != "normal":
        return MutantVerdict(MutantOutcome.ERROR, why=f"cosmic-ray worker outcome {worker_outcome}: {output[-1500:]}")
    try:
        verdict = files.read_verdict(output)
    except ReportError as exc:
        return MutantVerdict(MutantOutcome.ERROR, why=f"{exc} (cosmic-ray: {test_outcome})")
    said = verdict.verdict
    if said in (MutantOutcome.KILLED, MutantOutcome.SURVIVED) and (said is MutantOutcome.KILLED) != (test_outcome == "killed"):
        return MutantVerdict(MutantOutcome.ERROR, why=f"the test command said {said} but cosmic-ray recorded {test_outcome}")
    return verdict


@dataclass
class MutationResult:
    target: str
    engine: str
    files: list[str]
    generated: int
    seed: Optional[int]
    sample: Optional[int]
    jobs: int
    workers: list[str]
    baseline_seconds: float
    timeout_seconds: float
    seconds: float = 0.0
    left_out: dict = field(default_factory=dict)  # "clause outcome": tests the original does not pass
    mutants: list[Mutant] = field(default_factory=list)

    def count(self, verdict: str) -> int:
        return sum(1 for m in self.mutants if m.verdict == verdict)

    @property
    def measured(self) -> int:
        return sum(1 for m in self.mutants if m.verdict != "skipped")

    @property
    def score(self) -> Optional[float]:
        denominator = self.measured - self.count("equivalent") - self.count("error") - self.count("timeout")
        if denominator <= 0:
            return None
        return self.count("killed") / denominator

    @property
    def complete(self) -> bool:
        return self.count("error") == 0 and self.count("timeout") == 0

    def survivors(self) -> list[Mutant]:
        return [m for m in self.mutants if m.verdict == "survived"]

    def as_json(self) -> dict[str, Any]:
        counts = {verdict.value: self.count(verdict) for verdict in VERDICTS}
        data = files.to_json(self)
        data.update(schema=SCHEMA, measured=self.measured, counts=counts, score=self.score, complete=self.complete)
        return data

    def summary(self) -> str:
        score = "n/a" if self.score is None else f"{100 * self.score:.1f}%"
        counts = ", ".join(f"{v} {self.count(v)}" for v in VERDICTS if self.count(v) and v != "skipped")
        sampled = f" (sample of {self.measured}, seed {self.seed})" if self.sample else ""
        unmeasured = self.count("error") + self.count("timeout")
        return (f"mutation score {score}: {self.count('killed')} killed of "
                f"{self.measured - self.count('equivalent') - unmeasured} non-equivalent mutants{sampled}; "
                f"{self.generated} generated; {counts}; {self.seconds:.0f} s with {self.jobs} worker(s)")
