"""``--trtcache-known-gaps=FILE``: what a target is known to get wrong.

One entry a line, ``#`` starts a comment (the entry's reason)::

    H9                                   # a clause, every runtime
    H9 python                            # a clause in one runtime (or pair: C1 cpp->python)
    *test_lifecycle.py::*hostile*[cpp]   # a pytest node-id pattern

A word that is a clause id starts a clause entry; a word with ``::``, ``/``, ``.py``, ``*``
or ``?`` is a node-id pattern (node ids as pytest prints them, relative to the rootdir: a
leading ``*`` keeps a pattern true wherever the suite is run from). In a pattern ``*`` and
``?`` are the wildcards and brackets are literal, as in a node id's parameters
(``[cpp]``); unbalanced brackets are a malformed pattern. A pattern must name a test file,
class or test: one whose literal text is only what every node id has (``*``, ``*::*``,
``*.py::*``, ``*test_*``, ``*[cpp]``) would hide every failure, required clauses' included, and is
rejected. The runtime of a clause entry must be a runtime or runtime pair of the target
or peer (:func:`check_runtimes`). Each rejection is a usage error naming ``file:line``.

Strictness is the entry's, not the test's: every test an entry matches is
``xfail(strict=False)``, and the run fails when every matched test that ran passed (the
entry is stale: remove it). An entry whose tests partly pass stays valid (a clause-level
``H8`` over H8's sub-cases, some of which a target gets right), and the terminal summary
says which of its tests passed. An entry that matches no collected test is a
:class:`KnownGapWarning`; the report finds the unmatched and the stale entries under
``UNMATCHED_KEY`` and ``STALE_KEY`` in ``config.stash``.

Read once, in ``pytest_configure`` (``plugin.session``); xdist workers get the parsed
entries; the verdict is the controller's, from the reports (each matched test carries
its entry as the user property ``trtcache_known_gap``).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Iterable, Optional

import pytest

PROPERTY = "trtcache_known_gap"
#: for the report, set at session end: the entries that matched no test of the run, and
#: the stale ones (every test they matched passed)
UNMATCHED_KEY = pytest.StashKey["list[Gap]"]()
STALE_KEY = pytest.StashKey["list[Gap]"]()


class KnownGapWarning(pytest.PytestWarning):
    """A known-gaps entry matched no collected test."""


@dataclass(frozen=True)
class Gap:
    clause: Optional[str]
    runtime: Optional[str]
    reason: str
    where: str  # file:line
    pattern: Optional[str] = None  # a node-id pattern, in place of clause and runtime

    def matches(self, clauses: "frozenset[str] | set[str]", runtime: Optional[str], nodeid: str) -> bool:
        if self.pattern is not None:
            return compiled(self.pattern).fullmatch(nodeid) is not None
        return self.clause in clauses and (self.runtime is None or self.runtime == runtime)

    def __str__(self) -> str:
        if self.pattern is not None:
            return self.pattern
        return f"{self.clause}" + (f" {self.runtime}" if self.runtime else "")


def _is_pattern(word: str) -> bool:
    return any(mark in word for mark in ("::", "/", ".py", "*", "?", "["))


def compiled(pattern: str) -> "re.Pattern[str]":
    """A node-id pattern as a regex: ``*`` any text, ``?`` one character, the rest literal."""
    return re.compile("".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern), re.DOTALL)


#: what every node id of the suite has: a pattern whose literal text is only these names no test
_EVERY_NODE_ID = re.compile(r"conformance|pytest_trtcache|site-packages|\.py|::|test_?|[/._\-]")


def pattern_problem(pattern: str) -> Optional[str]:
    """Why ``pattern`` is not a usable node-id pattern, or None."""
    depth = 0
    for ch in pattern:
        depth += {"[": 1, "]": -1}.get(ch, 0)
        if depth not in (0, 1):
            break
    if depth != 0:
        return f"malformed node-id pattern {pattern!r}: unbalanced brackets (brackets are literal, as in a node id's [param])"
    outside_params = re.sub(r"\[[^\]]*\]", " ", pattern)  # a parameter names no test: *[cpp] is every cpp test
    literal = _EVERY_NODE_ID.sub("", re.sub(r"[*?]", " ", outside_params)).strip()
    if not literal:
        return (f"node-id pattern {pattern!r} names no test file, class or test, so it would hide every failure, required "
                "clauses' included: name a clause (H4, H4 cpp) or a narrower pattern (*test_save_load.py::*)")
    return None


def parse(path: str) -> list[Gap]:
    """The entries of a known-gaps file; a line that is not one is a ValueError naming
    ``path:line`` (an unknown clause, a malformed or match-everything pattern)."""
    from pytest_trtcache.contract import spec

    gaps = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            body, _, comment = line.partition("#")
            words = body.split()
            where = f"{path}:{lineno}"
            if not words:
                continue
            if words[0] in spec.BY_ID and len(words) <= 2:
                gaps.append(Gap(words[0], words[1] if len(words) == 2 else None, comment.strip(), where))
            elif _is_pattern(words[0]) and len(words) == 1:
                problem = pattern_problem(words[0])
                if problem:
                    raise ValueError(f"{where}: {problem}")
                gaps.append(Gap(None, None, comment.strip(), where, pattern=words[0]))
            else:
                raise ValueError(f"{where}: expected 'CLAUSE [RUNTIME] [# reason]' with a known clause id, or a node-id pattern, got {line.strip()!r}")
    return gaps


def check_runtimes(gaps: "Iterable[Gap]", runtime_ids: "Iterable[str]") -> None:
    """A ValueError naming ``file:line`` for a clause entry whose runtime is none of
    ``runtime_ids`` (the target's and peer's runtimes and runtime pairs)."""
    known = list(dict.fromkeys(runtime_ids))
    for gap in gaps:
        if gap.runtime is not None and gap.runtime not in known:
            raise ValueError(f"{gap.where}: {gap.runtime!r} in '{gap}' is not a runtime or runtime pair of this run (known: {', '.join(known)})")


def gapped(item: pytest.Item) -> bool:
    """Whether a known-gaps entry matched this test (its failure is expected)."""
    return any(key == PROPERTY for key, _ in item.user_properties)


def known_gaps_for(config: pytest.Config, runtime_id: str) -> frozenset[str]:
    """Clauses the known-gaps file lists for ``runtime_id`` (or for every runtime)."""
    from pytest_trtcache.plugin.keys import KNOWN_GAPS_KEY

    gaps = config.stash.get(KNOWN_GAPS_KEY, ())
    return frozenset(g.clause for g in gaps if g.clause is not None and g.runtime in (None, runtime_id))


def _clauses_of(item: pytest.Item) -> frozenset[str]:
    marker = item.get_closest_marker("clause")
    return frozenset(marker.args) if marker is not None else frozenset()


def apply(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test its first matching entry names; warn about entries that match none."""
    from pytest_trtcache.plugin.keys import KNOWN_GAPS_KEY
    from pytest_trtcache.plugin.gates import runtime_of

    gaps = config.stash.get(KNOWN_GAPS_KEY, ())
    used: set[Gap] = set()
    for item in items:
        clauses, runtime = _clauses_of(item), runtime_of(item)
        gap = next((g for g in gaps if g.matches(clauses, runtime, item.nodeid)), None)
        if gap is None:
            continue
        used.add(gap)
        reason = f"known gap {gap} ({gap.where})" + (f": {gap.reason}" if gap.reason else "")
        item.add_marker(pytest.mark.xfail(strict=False, reason=reason))
        item.user_properties.append((PROPERTY, gap.where))
    for gap in gaps:
        if gap not in used:
            warnings.warn(KnownGapWarning(f"known gap {gap} ({gap.where}) matches no collected test"), stacklevel=1)


@dataclass
class _Tally:
    still_failing: list[str] = field(default_factory=list)
    passing: list[str] = field(default_factory=list)


class Ledger:
    """The controller's account of each entry, from the reports: stale entries fail the run
    (registered on the controller only)."""

    def __init__(self, config: pytest.Config, gaps: "tuple[Gap, ...]") -> None:
        self.config = config
        self.gaps = {gap.where: gap for gap in gaps}
        self.tallies: dict[str, _Tally] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        where = dict(report.user_properties).get(PROPERTY)
        if where is None or not hasattr(report, "wasxfail"):
            return
        tally = self.tallies.setdefault(where, _Tally())
        (tally.passing if report.passed else tally.still_failing).append(report.nodeid)

    def stale(self) -> list[Gap]:
        """Entries whose matched tests all passed."""
        return [self.gaps[w] for w, t in self.tallies.items() if t.passing and not t.still_failing]

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.config.stash[UNMATCHED_KEY] = [g for w, g in self.gaps.items() if w not in self.tallies]
        self.config.stash[STALE_KEY] = self.stale()
        if self.config.stash[STALE_KEY] and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.tallies:
            return
        terminalreporter.section("trtcache known gaps")
        for where, tally in sorted(self.tallies.items()):
            gap = self.gaps[where]
            if not tally.passing:
                line = f"known gap {gap} ({where}): {len(tally.still_failing)} test(s) still fail"
            elif not tally.still_failing:
                line = f"STALE known gap {gap} ({where}): every test it matches passed ({len(tally.passing)}): remove the entry"
            else:
                line = f"known gap {gap} ({where}): {len(tally.still_failing)} still fail, {len(tally.passing)} pass: " + ", ".join(tally.passing)
            terminalreporter.write_line(line, red=line.startswith("STALE"))
