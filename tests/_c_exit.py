"""A C exit handler a test can see: ``puts(text)`` when the process calls ``exit()``."""

import ctypes


def print_at_exit(text: str) -> None:
    """Register it through ``__cxa_atexit``, as a shared library's static destructors are."""
    libc = ctypes.CDLL(None)
    libc.strdup.restype = ctypes.c_void_p
    libc.__cxa_atexit.argtypes = [ctypes.c_void_p] * 3
    line = libc.strdup(text.encode())  # malloc'd: still valid after Python's shutdown
    libc.__cxa_atexit(ctypes.cast(libc.puts, ctypes.c_void_p), line, None)
