"""The World a caller sees after one step, and the clause that owns each of its fields.

A :class:`World` is taken of each side (the target, the reference) after every step and
compared field by field (:mod:`.compare`). Paths are relative to the side's sandbox, so
two sandboxes compare equal when they hold the same things.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import asdict, dataclass, fields
from typing import Any, Optional

from pytest_trtcache.contract.spec import FREE_MODE_BITS


@dataclass(frozen=True)
class World:
    outcome: tuple  # ("returned", value) or ("raised", exception type name)
    process: tuple[str, ...]  # cwd / umask / environment changed by the step (put back)
    threads: int  # threads the step started that still run
    fds: Optional[int]  # descriptors the step opened that are still open (None: no /proc)
    atexit_hooks: int  # at-exit hooks registered now (the side's private registry)
    streams: tuple  # each caller-owned stream: (position, closed, contents, calls)
    caller_tensor: Optional[bytes]  # the tensor the step handed in, as it is after the step
    copy_independent: Optional[bool]  # a copy step: the original unchanged when the copy changed
    lock_wait: Optional[str]  # a step run while another process held the lock
    modes: tuple  # (path, mode) of every file and directory, free bits masked out
    tree: tuple  # (path, kind, bytes digest) of every entry in the sandbox

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# The clause that owns each field: a difference there is a violation of that clause.
# ``outcome`` belongs to E11 unless the step says otherwise (a copy step's outcome is E9's,
# a step under a held lock E6's: see operations.OUTCOME_OWNER).
OWNER: dict[str, str] = {
    "process": "E4",
    "threads": "E2",
    "fds": "E3",
    "atexit_hooks": "E5",
    "streams": "E1",
    "caller_tensor": "E8",
    "copy_independent": "E9",
    "lock_wait": "E6",
    "modes": "E7",
    "tree": "E10",
    "outcome": "E11",
}
FIELDS = tuple(f.name for f in fields(World))
assert set(OWNER) == set(FIELDS), "every World field has an owning clause"


def _digest(path: str) -> str:
    with open(path, "rb") as f:
        data = f.read()
    return f"{len(data)} bytes sha256:{hashlib.sha256(data).hexdigest()[:16]}"


def sandbox_listing(sandbox: str) -> tuple[tuple, tuple]:
    """(modes, tree) of everything under ``sandbox``, paths relative to it."""
    modes, tree = [], []
    for root, dirs, files in os.walk(sandbox):
        dirs.sort()
        for name in sorted(dirs + files):
            path = os.path.join(root, name)
            rel = os.path.relpath(path, sandbox)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                tree.append((rel, "symlink", os.readlink(path)))
                continue
            kind = "dir" if stat.S_ISDIR(st.st_mode) else "file" if stat.S_ISREG(st.st_mode) else "special"
            modes.append((rel, oct(stat.S_IMODE(st.st_mode) & ~FREE_MODE_BITS)))
            tree.append((rel, kind, _digest(path) if kind == "file" else ""))
    return tuple(modes), tuple(tree)
