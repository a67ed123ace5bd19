"""``--trtcache-known-gaps=FILE``: clauses a target is known to violate.

Read once, in ``pytest_configure`` (``plugin.session``); xdist workers get the parsed
entries.

One entry a line, ``CLAUSE [RUNTIME] [# reason]`` (``H9``, ``H9 python``,
``C1 cpp->python  # issue 123``); ``#`` starts a comment. Matching tests become
``xfail(strict=True)``: a gap that gets fixed turns into a failure (XPASS strict), so the
file stays true. An entry that matches no collected test is a warning naming it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Optional

import pytest


class KnownGapWarning(pytest.PytestWarning):
    """A known-gaps entry matched no collected test."""


@dataclass(frozen=True)
class Gap:
    clause: str
    runtime: Optional[str]
    reason: str
    where: str  # file:line

    def matches(self, clause: str, runtime: Optional[str]) -> bool:
        return clause == self.clause and (self.runtime is None or self.runtime == runtime)

    def __str__(self) -> str:
        return self.clause + (f" {self.runtime}" if self.runtime else "")


def parse(path: str) -> list[Gap]:
    from pytest_trtcache.contract import spec

    gaps = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            body, _, comment = line.partition("#")
            words = body.split()
            if not words:
                continue
            if len(words) > 2 or words[0] not in spec.BY_ID:
                raise ValueError(f"line {lineno}: expected 'CLAUSE [RUNTIME] [# reason]' with a known clause id, got {line.strip()!r}")
            gaps.append(Gap(words[0], words[1] if len(words) == 2 else None, comment.strip(), f"{path}:{lineno}"))
    return gaps


def known_gaps_for(config: pytest.Config, runtime_id: str) -> frozenset[str]:
    """Clauses the known-gaps file lists for ``runtime_id`` (or for every runtime)."""
    from pytest_trtcache.plugin.keys import KNOWN_GAPS_KEY

    return frozenset(g.clause for g in config.stash.get(KNOWN_GAPS_KEY, ()) if g.runtime in (None, runtime_id))


def apply(config: pytest.Config, items: list[pytest.Item]) -> None:
    from pytest_trtcache.plugin.keys import KNOWN_GAPS_KEY
    from pytest_trtcache.plugin.report import _runtime_of

    gaps = config.stash.get(KNOWN_GAPS_KEY, ())
    used: set[Gap] = set()
    for item in items:
        marker = item.get_closest_marker("clause")
        if marker is None:
            continue
        runtime = _runtime_of(item)
        for gap in gaps:
            if gap.matches(marker.args[0], runtime):
                used.add(gap)
                reason = f"known gap {gap} ({gap.where})" + (f": {gap.reason}" if gap.reason else "")
                item.add_marker(pytest.mark.xfail(strict=True, reason=reason))
                break
    for gap in gaps:
        if gap not in used:
            warnings.warn(KnownGapWarning(f"known gap {gap} ({gap.where}) matches no collected test"), stacklevel=1)
