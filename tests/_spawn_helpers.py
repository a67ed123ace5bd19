"""Helpers the spawn tests load into children or into the fork server (by module name)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading
import time

from pytest_trtcache.reference import _RuntimeCacheHandle, _autosave_at_exit, runtime_cache  # noqa: F401

GRANDCHILD_PID_FILE = "grandchild.pid"


class RuntimeCache:
    """A facade that hangs: starts a grandchild in its process group, says so, sleeps."""

    def __init__(self, path: str = "", autosave_on_del: bool = False) -> None:
        grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        with open(GRANDCHILD_PID_FILE, "w") as f:
            f.write(str(grandchild.pid))
        print("hanging in RuntimeCache.__init__", file=sys.stderr, flush=True)
        while True:
            time.sleep(1)


def start_thread() -> None:
    threading.Thread(target=time.sleep, args=(600,), name="helper-sleeper", daemon=True).start()


if os.environ.get("TRTCACHE_TEST_SERVER_HOOK") == "thread":
    start_thread()
elif os.environ.get("TRTCACHE_TEST_SERVER_HOOK") == "cuda":
    from pytest_trtcache.spawn import safety

    safety.cuda_initialized = lambda: True  # monkeypatch the probe inside the server


@dataclasses.dataclass
class ExitPayload:
    """What :func:`exit_late` does: its exit status and the line its C exit handler prints."""

    status: int
    line: str
    thread: bool = False  # leave a thread running at the end


def exit_late(arg: ExitPayload) -> int:
    """A child that registers a C exit handler (as a target's library loaded in the child
    would: its static destructors), buffers a C stdio write, and exits with ``status``."""
    import ctypes

    from _c_exit import print_at_exit

    print_at_exit(arg.line)
    libc = ctypes.CDLL(None)
    libc.printf.argtypes = [ctypes.c_char_p]
    libc.printf(b"buffered by C stdio; ")  # stdout is a file: no flush until exit()
    if arg.thread:
        threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
    return arg.status
