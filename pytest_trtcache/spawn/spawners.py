"""Run a step in a child: ``exec`` (fresh interpreter) or ``fork`` (warm server).

Both spawners produce the same :class:`Observation` for a step: the child writes its
part, then :func:`collect` adds what only the parent can see after the child has
exited (files written, at-exit autosaves included; stderr and its shutdown leaks;
every unraisable-hook call). Every child runs in its own process group; one that
outlives the timeout is killed with its group and reported with its stderr.
"""

from __future__ import annotations

import hashlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from typing import Any, Callable, Optional

from . import stderr as stderr_mod
from .protocol import ExceptionRecord, FileRecord, Observation, Step

MODES = ("auto", "fork", "exec")


def child_env() -> dict[str, str]:
    """The parent's environment with its ``sys.path``, so the child imports the same code
    (a worktree or checkout before any installed copy), then the ``PYTHONPATH`` the
    environment asks for now (it may name directories added after this process started)."""
    env = dict(os.environ)
    paths = [os.path.abspath(p or os.curdir) for p in sys.path]
    paths += [os.path.abspath(p) for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def _protocol_files(step: Step) -> set[str]:
    return {step.observation, step.observation + ".tmp", step.leaks, step.stdout, step.stderr, step_path(step)}


def step_path(step: Step) -> str:
    return os.path.join(step.workdir, f"{step.op}.step.json")


def _sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def collect(step: Step, returncode: Optional[int], timed_out: bool, spawner: str) -> Observation:
    """The observation of a finished (or killed) child, completed from the outside."""
    try:
        with open(step.observation, encoding="utf-8") as f:
            obs = Observation.from_dict(json.load(f))
    except FileNotFoundError:
        obs = Observation(step=step.describe())
        why = "killed after the timeout" if timed_out else f"exited with status {returncode}"
        obs.exceptions.append(ExceptionRecord("ChildDied", f"the child wrote no observation: {why}", ""))
    obs.returncode, obs.timed_out, obs.spawner = returncode, timed_out, spawner
    with open(step.stderr, encoding="utf-8", errors="replace") as f:
        obs.stderr = f.read()
    obs.stderr_leaks = stderr_mod.leaks(obs.stderr)
    if os.path.exists(step.leaks):
        with open(step.leaks, encoding="utf-8") as f:
            obs.unraisable = [json.loads(line) for line in f if line.strip()]
    skip = _protocol_files(step)
    for name in sorted(os.listdir(step.workdir)):
        path = os.path.join(step.workdir, name)
        if path not in skip and os.path.isfile(path) and not name.endswith(".lock"):
            obs.files.append(FileRecord(path, os.path.getsize(path), _sha256(path)))
    if returncode not in (0, None) and not timed_out and not obs.exceptions:
        obs.exceptions.append(ExceptionRecord("ChildExit", f"the child exited with status {returncode}", ""))
    return obs


def _write_step(step: Step) -> str:
    os.makedirs(step.workdir, exist_ok=True)
    path = step_path(step)
    with open(path, "w", encoding="utf-8") as f:
        f.write(step.to_json())
    return path


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


class Spawner:
    name = "?"
    #: pids of every child started, for tests that check nothing outlives the session
    pids: list[int]

    def run(self, step: Step, timeout: float) -> Observation:
        path = _write_step(step)
        started = time.time()
        returncode, timed_out = self._launch(path, step, timeout)
        obs = collect(step, returncode, timed_out, self.name)
        obs.timing.update(spawn_start=started, exited=time.time())
        return obs

    def _launch(self, path: str, step: Step, timeout: float) -> tuple[Optional[int], bool]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class ExecSpawner(Spawner):
    """A fresh ``sys.executable -m pytest_trtcache.spawn.child`` per step."""

    name = "exec"

    def __init__(self) -> None:
        self.pids = []

    def _launch(self, path: str, step: Step, timeout: float) -> tuple[Optional[int], bool]:
        with open(step.stdout, "wb") as out, open(step.stderr, "wb") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "pytest_trtcache.spawn.child", path],
                cwd=step.workdir, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                env=child_env(), start_new_session=True,
            )
        self.pids.append(proc.pid)
        try:
            return proc.wait(timeout), False
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid)
            return proc.wait(), True


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
    """Client of one warm server process (see :mod:`.server`)."""

    START_TIMEOUT_S = 300.0

    def __init__(self, preload: list[str], log_path: str, imports: tuple[str, ...] = ()) -> None:
        self.preload, self.log_path, self.imports = preload, log_path, imports
        self.proc: Optional[subprocess.Popen[bytes]] = None
        self.unsafe: Optional[str] = None
        self.skipped: dict[str, str] = {}
        self._lines: Optional[_Lines] = None
        self.started_pid: Optional[int] = None  # kept after close, to check it is gone

    def start(self) -> Optional[str]:
        """Start the server; return why forking it is unsafe, or ``None``."""
        args = [sys.executable, "-m", "pytest_trtcache.spawn.server"]
        for spec in self.preload:
            args += ["--preload", spec]
        for module in self.imports:
            args += ["--import", module]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=child_env(), start_new_session=True)
        self.started_pid = self.proc.pid
        self._lines = _Lines(self.proc.stdout.fileno())
        ready = self._lines.read(self.START_TIMEOUT_S)
        if ready is None:
            self.close()
            raise ServerError(f"the fork server did not start in {self.START_TIMEOUT_S:.0f} s; log: {self.log_path}")
        self.unsafe, self.skipped = ready.get("unsafe"), ready.get("skipped", {})
        return self.unsafe

    @property
    def pid(self) -> Optional[int]:
        return self.proc.pid if self.proc else None

    def request(self, path: str, timeout: float, on_pid: Callable[[int], None]) -> tuple[Optional[int], bool]:
        assert self.proc is not None and self.proc.stdin is not None and self._lines is not None
        self.proc.stdin.write((json.dumps({"step": path}) + "\n").encode())
        self.proc.stdin.flush()
        reply = self._lines.read(self.START_TIMEOUT_S)
        if reply is None:
            raise ServerError("the fork server did not answer a request")
        if "unsafe" in reply:
            self.unsafe = reply["unsafe"]
            raise ForkUnsafe(reply["unsafe"])
        pid = reply["pid"]
        on_pid(pid)
        done = self._lines.read(timeout)
        if done is None:
            _kill_group(pid)  # the server set the group before answering, so this is the child's
            done = self._lines.read(None)  # the server reaps it and reports
            return done["status"], True
        return done["status"], False

    def close(self) -> None:
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        try:
            proc.stdin.close()  # EOF: the server's loop ends
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid)
            proc.wait()
        finally:
            proc.stdout.close()


class ForkSpawner(Spawner):
    """Forks a child per step from a warm server started on first use.

    Falls back to exec, saying so once through ``notify``, when forking is unsafe.
    """

    name = "fork"

    def __init__(self, preload: list[str], log_path: str, notify: Callable[[str], None], imports: tuple[str, ...] = ()) -> None:
        self.pids = []
        self.notify = notify
        self.server = ForkServer(preload, log_path, imports)
        self.fallback: Optional[ExecSpawner] = None
        self._started = False

    def _fall_back(self, reason: str) -> None:
        self.notify(f"trtcache: forking the warm server is unsafe ({reason}); spawning children by exec instead")
        self.server.close()
        self.fallback = ExecSpawner()
        self.fallback.pids = self.pids

    def run(self, step: Step, timeout: float) -> Observation:
        if not self._started:
            self._started = True
            reason = self.server.start()
            if reason:
                self._fall_back(reason)
        if self.fallback is None:
            try:
                return super().run(step, timeout)
            except ForkUnsafe as exc:
                self._fall_back(str(exc))
        assert self.fallback is not None
        return self.fallback.run(step, timeout)

    def _launch(self, path: str, step: Step, timeout: float) -> tuple[Optional[int], bool]:
        return self.server.request(path, timeout, self.pids.append)

    @property
    def server_pid(self) -> Optional[int]:
        return self.server.started_pid

    def close(self) -> None:
        self.server.close()


def make_spawner(mode: str, preload: list[str], log_path: str, notify: Callable[[str], None]) -> Spawner:
    """``auto`` forks where the OS can (POSIX fork + select on pipes), else execs."""
    if mode == "auto":
        mode = "fork" if hasattr(os, "fork") and sys.platform.startswith("linux") else "exec"
    if mode == "fork":
        return ForkSpawner(preload, log_path, notify)
    if mode == "exec":
        return ExecSpawner()
    raise ValueError(f"unknown spawn mode {mode!r}: expected one of {', '.join(MODES)}")
