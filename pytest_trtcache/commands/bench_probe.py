"""Timestamps from inside a forked child's shutdown, for ``trtcache bench``'s profile.

Imported into the fork server (``ForkServer(imports=("pytest_trtcache.commands.bench_probe",))``)
with ``TRTCACHE_BENCH_PROBE_DIR`` set. In each forked child it appends ``EVENT TIME``
lines to ``<dir>/<pid>.log``: ``fork``, ``step-done`` (child.run returned),
and ``atexit-first`` / ``atexit-last`` (around the atexit hooks); what follows the last
stamp is module teardown, the interpreter's own collections and process exit (CPython
3.11 runs its finalization collections without ``gc.callbacks``, so they are split by
:func:`pytest_trtcache.commands.bench.finalization_split` instead). Everything a late callback needs is bound as a default argument: module
teardown sets this module's globals to None before the last collections. It changes
nothing the child does besides writing these lines, and the server itself writes none.
Never imported by the plugin.
"""

from __future__ import annotations

import atexit
import os
import time
from typing import Any

_DIR = os.environ.get("TRTCACHE_BENCH_PROBE_DIR", "")
_FD = [-1]  # set in each forked child only


def _stamp(what: str, _write: Any = os.write, _time: Any = time.time, _fd: list[int] = _FD) -> None:
    if _fd[0] >= 0:
        try:
            _write(_fd[0], (what + " " + repr(_time()) + "\n").encode())
        except BaseException:  # noqa: BLE001 - too late in shutdown to write: lose the stamp
            pass


def _after_fork() -> None:
    if _DIR:
        _FD[0] = os.open(os.path.join(_DIR, f"{os.getpid()}.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        _stamp("fork")


def _wrap_child_run() -> None:
    from pytest_trtcache.spawn import child

    inner = child.run

    def run(step: Any) -> int:
        code = inner(step)
        _stamp("step-done")
        atexit.register(_stamp, "atexit-first")  # registered last: runs first
        return code

    child.run = run


os.register_at_fork(after_in_child=_after_fork)
atexit.register(_stamp, "atexit-last")  # registered in the server, before any step: runs last
_wrap_child_run()

