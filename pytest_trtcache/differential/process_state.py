"""What a call can leave behind in the process: threads, file descriptors, the working
directory, the umask and the environment (E2-E4), measured around one call."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Optional


def open_fds() -> Optional[frozenset[int]]:
    try:
        return frozenset(int(name) for name in os.listdir("/proc/self/fd"))
    except OSError:  # no /proc: not observed, and said so by a None on both sides
        return None


def environment() -> dict:
    """The process environment as the C library sees it (``os.environ``'s own dict of
    bytes: copied at C speed, where ``dict(os.environ)`` decodes every entry)."""
    data = getattr(os.environ, "_data", None)
    return dict(data) if isinstance(data, dict) else dict(os.environ)


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@dataclass
class ProcessMark:
    threads: frozenset[int]
    fds: Optional[frozenset[int]]
    cwd: str
    umask: int
    environ: dict

    @classmethod
    def now(cls) -> "ProcessMark":
        return cls(frozenset(t.ident for t in threading.enumerate()), open_fds(), os.getcwd(), current_umask(), environment())

    def left_behind(self) -> tuple[int, Optional[int], tuple[str, ...]]:
        """(threads started and still running, fds opened and still open, process settings
        changed) since this mark; the settings are put back, so one step's change does
        not spill into the next."""
        after = ProcessMark.now()
        threads = len([t for t in threading.enumerate() if t.ident not in self.threads and t.is_alive()])
        fds = None if self.fds is None or after.fds is None else len(after.fds - self.fds)
        changed = []
        if after.cwd != self.cwd:
            changed.append("cwd")
            os.chdir(self.cwd)
        if after.umask != self.umask:
            changed.append(f"umask {self.umask:04o} -> {after.umask:04o}")
            os.umask(self.umask)
        if after.environ != self.environ:
            keys = {k for k, _ in set(after.environ.items()) ^ set(self.environ.items())}
            changed.append("environment " + ", ".join(sorted(os.fsdecode(k) for k in keys)))
            os.environb.clear()
            os.environb.update(self.environ)
        return threads, fds, tuple(changed)
