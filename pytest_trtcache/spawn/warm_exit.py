"""A forked child ends without running the warm libraries' C++ static destructors,
unless another thread still runs.

A process that returns from Python's shutdown (atexit hooks, module teardown, ``__del__``,
the last collections: all of it still runs) calls C's ``exit()``, which runs the C-level
exit handlers last-registered first: among them the static destructors of every shared
library, torch's operator registries included. In a forked child those destructors write
to nearly every page of torch's inherited heap, so the kernel copies them: more than half
of a forked child's finalization (BENCHMARKS.md, "Where the time of a pair goes").

:func:`skip_destructors_registered_so_far` registers two handlers in the fork server
after it imports the warm libraries and before it imports a target: ``fflush(NULL)``,
then ``_exit(status)``. Handlers registered later run first, so a target's own static
destructors (its libraries load later) and the flush of C stdio still run, and then the
process ends with the status Python chose.

Torch's destructors matter to a child in one case: a thread that still runs while they
tear torch down can crash the process at exit, as it would crash a user's. A child that
ends its entry with another thread running (:func:`other_threads`) therefore exits as a
fresh interpreter would (:func:`before_exit`, :func:`keep_every_destructor`). Exec'd children never
skip anything: a fresh interpreter stays the faithful path, and the exec/fork parity tests
compare the two. glibc only (``on_exit``, ``__cxa_atexit``, ``__cxa_finalize``); elsewhere
nothing is registered and a child exits the long way.
"""

from __future__ import annotations

import ctypes
import os
from typing import Optional

_POINTER = ctypes.c_void_p
_skipping = False  # set in the server once the handlers are in; its forked children inherit it


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None)
    libc.on_exit.argtypes = [_POINTER, _POINTER]
    libc.__cxa_atexit.argtypes = [_POINTER, _POINTER, _POINTER]
    libc.setvbuf.argtypes = [_POINTER, _POINTER, ctypes.c_int, ctypes.c_size_t]
    return libc


def skip_destructors_registered_so_far() -> Optional[str]:
    """Register the two handlers; ``None`` when done, else why not (the exit stays whole)."""
    global _skipping
    try:
        libc = _libc()
        libc.__cxa_finalize  # noqa: B018  (keep_every_destructor needs it: all three or none)
    except (OSError, AttributeError) as exc:
        return f"no glibc exit handlers here ({exc})"
    # on_exit calls _exit(status, NULL): _exit ignores the second argument.
    if libc.on_exit(ctypes.cast(libc._exit, _POINTER), None) != 0:
        return "on_exit() refused the handler"
    # Registered after _exit, so it runs before it: __cxa_atexit calls fflush(NULL, status).
    if libc.__cxa_atexit(ctypes.cast(libc.fflush, _POINTER), None, None) != 0:
        return "__cxa_atexit() refused the handler"  # only out of memory; C stdio would go unflushed
    _skipping = True
    return None


def before_exit() -> None:
    """In a forked child about to shut down: keep every destructor where another thread runs."""
    if _skipping and other_threads():
        keep_every_destructor()  # a running thread could crash in torch's teardown


def other_threads() -> int:
    """Threads of this process besides the calling one, native ones included (0 where
    ``/proc`` cannot tell)."""
    try:
        return len(os.listdir("/proc/self/task")) - 1
    except OSError:
        return 0


def keep_every_destructor() -> None:
    """Undo the skip for this process: at ``exit()``, before anything else,
    ``__cxa_finalize(NULL)`` runs every C++ destructor and ``atexit`` handler still
    registered, in the usual order; only ``_exit(status)`` (an ``on_exit`` handler, which
    it does not run) is left. C stdout is made unbuffered first, so what those destructors
    print is not lost to ``_exit``."""
    libc = _libc()
    libc.fflush(None)
    libc.setvbuf(_POINTER.in_dll(libc, "stdout"), None, 2, 0)  # 2: _IONBF
    libc.__cxa_atexit(ctypes.cast(libc.__cxa_finalize, _POINTER), None, None)
