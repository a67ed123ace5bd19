"""A forked child ends without running the warm libraries' C++ static destructors.

A process that returns from Python's shutdown (atexit hooks, module teardown, ``__del__``,
the last collections: all of it still runs) calls C's ``exit()``, which runs the C-level
exit handlers last-registered first: among them the static destructors of every shared
library, torch's operator registries included. In a forked child those destructors write
to nearly every page of torch's inherited heap, so the kernel copies them: about half of
a forked child's finalization (BENCHMARKS.md, "Where the time of a pair goes"). Nothing in
them is a cache's behaviour: they belong to libraries loaded before any target.

:func:`skip_destructors_registered_so_far` registers two handlers in the fork server
after it imports the warm libraries and before it imports a target: ``fflush(NULL)``,
then ``_exit(status)``. Handlers registered later run first, so a target's own static
destructors (its libraries load later) and the flush of C stdio buffers still run, and
then the process ends with the status Python chose. Exec'd children never call it: a
fresh interpreter stays the faithful path, and the exec/fork parity tests compare them.
glibc only (``on_exit`` and ``__cxa_atexit``); elsewhere nothing is registered and a
child exits the long way, with the same behaviour.
"""

from __future__ import annotations

import ctypes
from typing import Optional


def skip_destructors_registered_so_far() -> Optional[str]:
    """Register the two handlers; ``None`` when done, else why not (the exit stays whole)."""
    try:
        libc = ctypes.CDLL(None)
        on_exit, cxa_atexit = libc.on_exit, libc.__cxa_atexit
        _exit, fflush = libc._exit, libc.fflush
    except (OSError, AttributeError) as exc:
        return f"no glibc exit handlers here ({exc})"
    pointer = ctypes.c_void_p
    on_exit.argtypes, cxa_atexit.argtypes = [pointer, pointer], [pointer, pointer, pointer]
    # on_exit calls _exit(status, NULL): _exit ignores the second argument.
    if on_exit(ctypes.cast(_exit, pointer), None) != 0:
        return "on_exit() refused the handler"
    # Registered after _exit, so it runs before it: __cxa_atexit calls fflush(NULL, status).
    if cxa_atexit(ctypes.cast(fflush, pointer), None, None) != 0:
        return "__cxa_atexit() refused the handler"  # only out of memory; C stdio would go unflushed
    return None
