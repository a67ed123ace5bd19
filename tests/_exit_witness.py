"""Imported by a fork server as a warm library (``--warm _exit_witness``), so before its
warm exit: registers a C exit handler, as torch's static destructors are registered,
that prints one line when a child runs it."""

import ctypes

_libc = ctypes.CDLL(None)
_libc.strdup.restype = ctypes.c_void_p
_libc.__cxa_atexit.argtypes = [ctypes.c_void_p] * 3
_libc.__cxa_atexit(ctypes.cast(_libc.puts, ctypes.c_void_p), _libc.strdup(b"a warm library's destructor ran"), None)
