"""Shutdown leaks from a child's stderr: the ``Exception ignored in`` blocks.

Late in finalization an unraisable exception can bypass any hook a child installed
(or the hook itself can no longer run) and CPython prints it to stderr. Each block
starts with ``Exception ignored in`` (or the ``err_msg`` an object passed) and runs
until the next unindented line that is not part of a traceback.
"""

from __future__ import annotations

import re

_START = re.compile(r"^Exception ignored (in|on|while)\b")
# Lines that continue a block: indented lines, traceback headers, chained-exception
# separators, and the final "SomeError: message" line.
_CONTINUES = re.compile(r"^(\s|Traceback \(most recent call last\):|During handling|The above exception|$)")
_EXC_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Warning|Interrupt|Exit)\b.*$|^[A-Za-z_][\w.]*: ")


def leaks(stderr: str) -> list[str]:
    """Every ``Exception ignored ...`` block in ``stderr``, as text."""
    blocks: list[str] = []
    current: list[str] = []
    for line in stderr.splitlines():
        if _START.match(line):
            if current:
                blocks.append("\n".join(current).rstrip())
            current = [line]
        elif current and (_CONTINUES.match(line) or _EXC_LINE.match(line)):
            current.append(line)
        elif current:
            blocks.append("\n".join(current).rstrip())
            current = []
    if current:
        blocks.append("\n".join(current).rstrip())
    return [b for b in blocks if b]
