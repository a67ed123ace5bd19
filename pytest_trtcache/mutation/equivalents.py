"""Mutants documented as unobservable: left out of the score, each with its reason.

A TOML file of ``[[mutant]]`` tables::

    [[mutant]]
    file = "pytest_trtcache/reference/cache.py"   # tree-relative, as the result names it
    operator = "core/NumberReplacer"
    before = "    timeout: float = 60.0"            # the mutated line, as in the diff
    after = "    timeout: float = 61.0"
    reason = "why no test can observe it"

A mutant matches an entry when file, operator and the diff's removed and added lines
are the same (occurrence numbers shift with every edit; the line text does not). The
project's own list (``equivalents.toml`` beside this module, rendered in
``docs/equivalent-mutants.md``) applies by default; ``--equivalents FILE`` adds a
vendor's. An entry that matches no generated mutant is reported as stale.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable, Sequence

from pytest_trtcache.report.records import MutantOutcome

from . import deps
from .trees import MutateError

OWN = os.path.join(os.path.dirname(__file__), "equivalents.toml")
DOC_START, DOC_END = "<!-- equivalents:start -->", "<!-- equivalents:end -->"
_KEYS = ("file", "operator", "before", "after", "reason")


@dataclass(frozen=True)
class Equivalent:
    file: str
    operator: str
    before: str
    after: str
    reason: str
    origin: str  # the TOML file it came from

    def matches(self, mutant) -> bool:
        removed, added = mutant.changed()
        return (mutant.file == self.file and mutant.operator == self.operator
                and _lines(removed) == _lines(self.before.splitlines()) and _lines(added) == _lines(self.after.splitlines()))


def _lines(lines: Iterable[str]) -> list[str]:
    """The non-blank lines, right-stripped: a removed decorator's diff also drops the blank
    lines around it, and ``after = ""`` means nothing was added."""
    return [line.rstrip() for line in lines if line.strip()]


def load(paths: Sequence[str]) -> list[Equivalent]:
    toml = deps.toml()

    entries = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                data = toml.load(f)
        except (OSError, toml.TomlDecodeError) as exc:
            raise MutateError(f"--equivalents {path}: {exc}") from None
        for index, entry in enumerate(data.get("mutant", [])):
            missing = [key for key in _KEYS if not isinstance(entry.get(key), str) or (key == "reason" and not entry[key].strip())]
            if missing:
                raise MutateError(f"--equivalents {path}: [[mutant]] #{index + 1} lacks {', '.join(missing)} (each entry needs {', '.join(_KEYS)})")
            entries.append(Equivalent(**{key: entry[key] for key in _KEYS}, origin=path))
    return entries


def apply(entries: Iterable[Equivalent], mutants) -> list[Equivalent]:
    """Mark the survivors (and timeouts: a tuning constant can only slow a run) that match
    an entry ``equivalent``; return the entries that matched no mutant at all (stale: the
    code changed under them). A killed mutant stays killed whatever the list says."""
    used = set()
    for mutant in mutants:
        for entry in entries:
            if entry.matches(mutant):
                used.add(entry)
                if mutant.verdict in ("survived", "timeout"):
                    mutant.verdict, mutant.why = MutantOutcome.EQUIVALENT, entry.reason
                break
    return [entry for entry in entries if entry not in used]


def render(entries: Sequence[Equivalent]) -> str:
    """The Markdown list of ``docs/equivalent-mutants.md``'s generated section."""
    lines = [DOC_START, ""]
    for entry in entries:
        lines += [f"* `{entry.file}`, {entry.operator}:", "  ```diff", *[f"  -{line}" for line in _lines(entry.before.splitlines())],
                  *[f"  +{line}" for line in _lines(entry.after.splitlines())], "  ```",
                  "  " + " ".join(entry.reason.split()), ""]
    lines.append(DOC_END)
    return "\n".join(lines)


DOC = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "docs", "equivalent-mutants.md")


def main(argv: "Sequence[str] | None" = None) -> int:
    """``python -m pytest_trtcache.mutation.equivalents --write``: regenerate the doc's list."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    with open(DOC, encoding="utf-8") as f:
        doc = f.read()
    start, end = doc.index(DOC_START), doc.index(DOC_END) + len(DOC_END)
    fresh = doc[:start] + render(load([OWN])) + doc[end:]
    if "--write" in args:
        with open(DOC, "w", encoding="utf-8") as f:
            f.write(fresh)
        return 0
    print("up to date" if fresh == doc else f"{DOC} is out of date: run with --write")
    return 0 if fresh == doc else 1


if __name__ == "__main__":
    raise SystemExit(main())
