"""The pytest side of the warm fork server (:mod:`.server`): start it, ask it for
children, learn when they exit.

Several children may run at once (concurrent savers, S5): the server answers each
request with the child's pid at once and reports every exit when it happens, in any
order; :class:`ForkServer` keeps the exits it reads while waiting for something else.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from typing import Any, Optional

from .environment import child_env
from .groups import kill_group


class ServerError(RuntimeError):
    pass


class ForkUnsafe(Exception):
    """The server refuses to fork (see :mod:`.safety`)."""


class _Lines:
    """JSON lines from a pipe, with a deadline per line."""

    def __init__(self, fd: int) -> None:
        self.fd, self.buffer = fd, b""

    def read(self, timeout: Optional[float]) -> Optional[dict[str, Any]]:
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(self.fd, 65536)
            if not chunk:
                raise ServerError("the fork server closed its pipe")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return json.loads(line)


class ForkServer:
    """Client of one warm server process. Threads may share it: one reads the server's
    replies at a time, in short slices, and keeps every exit it reads for its waiter."""

    START_TIMEOUT_S = 300.0
    SLICE_S = 0.1  # how long one waiter reads before letting another look

    def __init__(self, preload: list[str], log_path: str, imports: tuple[str, ...] = (), warm: tuple[str, ...] = (),
                 env: Optional[dict[str, str]] = None) -> None:
        self.preload, self.log_path, self.imports, self.warm = preload, log_path, imports, warm
        self.env = env
        self.proc: Optional[subprocess.Popen[bytes]] = None
        self._lines: Optional[_Lines] = None
        self._exits: dict[int, int] = {}  # pid -> exit status, read while waiting for another
        self._reading = threading.Lock()

    def start(self) -> Optional[str]:
        """Start the server; return why forking it is unsafe, or ``None``."""
        args = [sys.executable, "-m", "pytest_trtcache.spawn.server"]
        for spec in self.preload:
            args += ["--preload", spec]
        for module in self.imports:
            args += ["--import", module]
        for module in self.warm:
            args += ["--warm", module]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=self.env or child_env(),
                                         start_new_session=True)
        self._lines = _Lines(self.proc.stdout.fileno())
        ready = self._lines.read(self.START_TIMEOUT_S)
        if ready is None:
            self.close()
            raise ServerError(f"the fork server did not start in {self.START_TIMEOUT_S:.0f} s; log: {self.log_path}")
        return ready.get("unsafe")

    def fork(self, entry: str, arg: str, stdout: str, stderr: str) -> int:
        """A child running ``entry(arg)`` with its output in those files; its pid."""
        assert self.proc is not None and self.proc.stdin is not None
        request = {"entry": entry, "arg": arg, "stdout": stdout, "stderr": stderr}
        with self._reading:  # the request and its answer: no other thread reads in between
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
            while True:
                reply = self._read(self.START_TIMEOUT_S)
                if reply is None:
                    raise ServerError("the fork server did not answer a request")
                if "unsafe" in reply:
                    raise ForkUnsafe(reply["unsafe"])
                if "status" not in reply:
                    return reply["pid"]

    def _read(self, timeout: Optional[float]) -> Optional[dict[str, Any]]:
        assert self._lines is not None
        message = self._lines.read(timeout)
        if message is not None and "status" in message:
            self._exits[message["pid"]] = message["status"]
        return message

    def poll(self, pid: int) -> Optional[int]:
        """The child's exit status if it has exited (and was reaped), else ``None``."""
        with self._reading:
            while pid not in self._exits and self._read(0) is not None:
                pass
            return self._exits.get(pid)

    def wait(self, pid: int, timeout: Optional[float]) -> tuple[int, bool]:
        """(exit status, killed after ``timeout``); a child past it is killed with its group."""
        deadline = None if timeout is None else time.monotonic() + timeout
        killed = False
        while True:
            with self._reading:
                if pid in self._exits:
                    return self._exits.pop(pid), killed
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                if left == 0.0 and not killed:
                    kill_group(pid, signal.SIGKILL)  # the server set the group before answering, so this is the child's
                    killed, deadline = True, None  # the server reaps it and reports
                    continue
                self._read(self.SLICE_S if left is None else min(left, self.SLICE_S))

    def close(self) -> None:
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        try:
            proc.stdin.close()  # EOF: the server kills what still runs and exits
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill_group(proc.pid, signal.SIGKILL)
            proc.wait()
        finally:
            proc.stdout.close()
