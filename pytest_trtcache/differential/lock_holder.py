"""Another process holding a cache's file lock while a step runs (E6).

filelock's Unix lock is ``flock`` on ``<path>.lock``. One helper process (a bare
interpreter, ``-S``, only ``fcntl``) serves a whole run: it takes a lock when asked,
says so, and lets go when asked. It is started outside every step, so its pipes are no
descriptor a step opened (E3).

Whether a call waited is decided without a clock: the call runs while the helper holds
the lock; a timer thread tells the helper to let go after ``HOLD_S``. If the call returns
before the release was sent, it returned while the other process still held the lock
(it gave up at once); otherwise it returned after. A call that never opened the lock
file (the kernel says so: an inotify watch on it, whatever language the implementation
locks in) never asked for the lock, and returned while it was held however long it took.
The reference either waits (``FileLock.acquire(timeout=10)``) or never asks (a load of
a missing file), so for it the answer never depends on how loaded the machine is.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import struct
import subprocess
import sys
import threading
from typing import Iterator, Optional

HOLD_S = 0.02
WHILE_HELD = "returned while another process held the lock"
AFTER_RELEASE = "returned after the other process let go"

_CHILD = """\
import fcntl, sys
held = None
for line in sys.stdin:
    command, _, path = line.rstrip("\\n").partition(" ")
    if command == "hold":
        held = open(path, "a")
        fcntl.flock(held, fcntl.LOCK_EX)
    elif command == "release":
        held.close()
        held = None
    print(command, flush=True)
"""


IN_OPEN = 0x20
_EVENT = struct.Struct("iIII")  # struct inotify_event: wd, mask, cookie, len (then the name)
IN_NONBLOCK = os.O_NONBLOCK
_libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


class Inotify:
    """One inotify instance for a whole run: each step adds a watch and removes it. (Closing
    an instance waits for a kernel grace period, about 10 ms under load: once per step it
    was most of E6's cost.) Opened outside every step, like the helper's pipes (E3)."""

    def __init__(self) -> None:
        if not hasattr(_libc, "inotify_init1"):
            raise OSError("E6 needs inotify (Linux) to tell whether a step opened the lock file; this C library has none")
        fd = _libc.inotify_init1(IN_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"cannot start an inotify instance: {os.strerror(errno)}")
        self.fd = fd

    def _events(self) -> list[tuple[int, int]]:
        """(watch, mask) of every event queued so far."""
        events = []
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return events
            offset = 0
            while offset + _EVENT.size <= len(data):
                wd, mask, _cookie, length = _EVENT.unpack_from(data, offset)
                events.append((wd, mask))
                offset += _EVENT.size + length

    def watch_opens(self, path: str) -> int:
        self._events()  # what earlier watches left queued (their removal's IN_IGNORED)
        wd = _libc.inotify_add_watch(self.fd, os.fsencode(path), IN_OPEN)
        if wd < 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"cannot watch {path} for opens (inotify): {os.strerror(errno)}")
        return wd

    def opened(self, wd: int) -> bool:
        return any(w == wd and mask & IN_OPEN for w, mask in self._events())

    def unwatch(self, wd: int) -> None:
        _libc.inotify_rm_watch(self.fd, wd)

    def close(self) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            os.close(fd)


class LockHolder:
    """The helper process: ``with holder.holding(path) as wait: ...; wait.verdict``."""

    def __init__(self) -> None:
        self._child: Optional[subprocess.Popen[str]] = None
        self._inotify: Optional[Inotify] = None

    def start(self) -> "LockHolder":
        if self._inotify is None:
            self._inotify = Inotify()
        if self._child is None:
            self._child = subprocess.Popen(
                [sys.executable, "-S", "-c", _CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, close_fds=True,
            )
        return self

    def _say(self, command: str) -> None:
        child = self._child
        assert child is not None and child.stdin is not None and child.stdout is not None, "LockHolder.start() first"
        child.stdin.write(command + "\n")
        child.stdin.flush()
        answer = child.stdout.readline().strip()
        if answer != command.split(" ", 1)[0]:
            raise RuntimeError(f"the lock-holding helper answered {answer!r} to {command!r} (exit code {child.poll()})")

    @contextlib.contextmanager
    def holding(self, lock_path: str, hold_s: float = HOLD_S) -> Iterator["Wait"]:
        inotify = self._inotify
        assert inotify is not None, "LockHolder.start() first"
        self._say(f"hold {lock_path}")
        watch = inotify.watch_opens(lock_path)  # after the helper's own open
        wait = Wait()
        mutex = threading.Lock()
        released = False

        def release() -> None:
            nonlocal released
            with mutex:
                if not released:
                    released = True
                    self._say("release")

        timer = threading.Timer(hold_s, release)
        timer.start()
        try:
            yield wait
        finally:
            with mutex:  # decided before the release below can happen
                asked = inotify.opened(watch)
                wait.verdict = AFTER_RELEASE if released and asked else WHILE_HELD
            timer.cancel()
            release()
            timer.join()  # no thread of ours outlives the step (E2)
            inotify.unwatch(watch)

    def close(self) -> None:
        inotify, self._inotify = self._inotify, None
        if inotify is not None:
            inotify.close()
        child, self._child = self._child, None
        if child is not None:
            assert child.stdin is not None and child.stdout is not None
            child.stdin.close()
            child.wait(timeout=30)
            child.stdout.close()


class Wait:
    verdict: Optional[str] = None
