"""Run a step in a child: ``exec`` (fresh interpreter) or ``fork`` (warm server).

Both spawners produce the same :class:`Observation` for a step: the child writes its
part, then :func:`collect` adds what only the parent can see after the child has
exited (files written, at-exit autosaves included; stderr and its shutdown leaks;
every unraisable-hook call). Every child runs in its own process group; one that
outlives the timeout is killed with its group and reported with its stderr.

Below the steps, :meth:`Spawner.start` starts any ``entry(arg)`` function as a
:class:`Child` and returns at once, so several children can run together (concurrent
savers, saves killed at each file-system event: S4, S5).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from typing import Any, Callable, Optional

from . import payload as payload_mod
from . import stderr as stderr_mod
from .environment import child_env
from .groups import kill_group
from .fork_client import ForkServer, ForkUnsafe, ServerError
from .protocol import ExceptionRecord, FileRecord, Observation, Step

MODES = ("auto", "fork", "exec")
#: what a step child runs (``pytest_trtcache.spawn.child.run(step)``)
STEP_ENTRY = "pytest_trtcache.spawn.child:run"

__all__ = ["Child", "ExecSpawner", "ForkSpawner", "ServerError", "Spawner", "child_env", "collect", "make_spawner"]


def _protocol_files(step: Step) -> set[str]:
    return {step.observation, step.observation + ".tmp", step.leaks, step.stdout, step.stderr}


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


class Child:
    """A started child: ``poll``, ``wait`` (a child past its timeout is killed with its
    process group and ``timed_out`` set), and what it wrote to stdout and stderr."""

    def __init__(self, pid: int, stdout: str, stderr: str) -> None:
        self.pid, self.stdout_path, self.stderr_path = pid, stdout, stderr
        self.returncode: Optional[int] = None
        self.timed_out = False

    def poll(self) -> Optional[int]:
        raise NotImplementedError

    def wait(self, timeout: Optional[float] = None) -> Optional[int]:
        raise NotImplementedError

    def kill(self) -> None:
        kill_group(self.pid, signal.SIGKILL)

    def output(self) -> tuple[str, str]:
        """(stdout, stderr) as written so far."""
        texts = []
        for path in (self.stdout_path, self.stderr_path):
            with open(path, encoding="utf-8", errors="replace") as f:
                texts.append(f.read())
        return texts[0], texts[1]


class _ExecChild(Child):
    def __init__(self, proc: "subprocess.Popen[bytes]", stdout: str, stderr: str) -> None:
        super().__init__(proc.pid, stdout, stderr)
        self.proc = proc

    def poll(self) -> Optional[int]:
        self.returncode = self.proc.poll()
        return self.returncode

    def wait(self, timeout: Optional[float] = None) -> Optional[int]:
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            kill_group(self.pid, signal.SIGKILL)
            self.returncode, self.timed_out = self.proc.wait(), True
        return self.returncode


class _ForkedChild(Child):
    def __init__(self, server: ForkServer, pid: int, stdout: str, stderr: str) -> None:
        super().__init__(pid, stdout, stderr)
        self.server = server

    def poll(self) -> Optional[int]:
        if self.returncode is None:
            self.returncode = self.server.poll(self.pid)
        return self.returncode

    def wait(self, timeout: Optional[float] = None) -> Optional[int]:
        if self.poll() is None:
            self.returncode, self.timed_out = self.server.wait(self.pid, timeout)
        return self.returncode


class Spawner:
    name = "?"

    def start(self, entry: str, payload: Any, stdout: str, stderr: str) -> Child:
        """Start a child running ``entry(payload)`` (``"module:function"`` taking one
        dataclass, :mod:`.payload`; it returns the exit status), in its own process
        group, with stdout and stderr in those files."""
        return self._start(entry, payload_mod.dumps(payload), stdout, stderr)

    def _start(self, entry: str, arg: str, stdout: str, stderr: str) -> Child:
        raise NotImplementedError

    @property
    def spawner_name(self) -> str:
        """How children really start (a fork spawner that fell back says ``exec``)."""
        return self.name

    def run(self, step: Step, timeout: float) -> Observation:
        os.makedirs(step.workdir, exist_ok=True)
        started = time.time()
        child = self.start(STEP_ENTRY, step, step.stdout, step.stderr)
        child.wait(timeout)
        obs = collect(step, child.returncode, child.timed_out, self.spawner_name)
        obs.timing.update(spawn_start=started, exited=time.time())
        return obs

    def close(self) -> None:
        """Kill (with its group) every child still running, then stop starting any."""


class ExecSpawner(Spawner):
    """A fresh ``sys.executable -m pytest_trtcache.spawn.child ENTRY PAYLOAD`` per child."""

    name = "exec"

    def __init__(self) -> None:
        self.children: list[_ExecChild] = []  # the ones that may still run

    def _start(self, entry: str, arg: str, stdout: str, stderr: str) -> Child:
        with open(stdout, "wb") as out, open(stderr, "wb") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "pytest_trtcache.spawn.child", entry, arg],
                cwd=os.path.dirname(stdout) or None, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                env=child_env(), start_new_session=True,
            )
        child = _ExecChild(proc, stdout, stderr)
        self.children = [c for c in self.children if c.poll() is None] + [child]
        return child

    def close(self) -> None:
        for child in self.children:
            if child.poll() is None:
                child.kill()
                child.wait()
        self.children = []


class ForkSpawner(Spawner):
    """Forks children from a warm server started on first use.

    Falls back to exec, saying so once through ``notify``, when forking is unsafe.
    """

    name = "fork"

    def __init__(self, preload: list[str], log_path: str, notify: Callable[[str], None], imports: tuple[str, ...] = ()) -> None:
        self.notify = notify
        self.server = ForkServer(preload, log_path, imports)
        self.fallback: Optional[ExecSpawner] = None
        self._started = False

    def _fall_back(self, reason: str) -> None:
        self.notify(f"trtcache: forking the warm server is unsafe ({reason}); spawning children by exec instead")
        self.server.close()
        self.fallback = ExecSpawner()

    @property
    def spawner_name(self) -> str:
        return self.fallback.name if self.fallback is not None else self.name

    def _start(self, entry: str, arg: str, stdout: str, stderr: str) -> Child:
        if not self._started:
            self._started = True
            reason = self.server.start()
            if reason:
                self._fall_back(reason)
        if self.fallback is None:
            try:
                pid = self.server.fork(entry, arg, stdout, stderr)
            except ForkUnsafe as exc:
                self._fall_back(str(exc))
            else:
                return _ForkedChild(self.server, pid, stdout, stderr)
        assert self.fallback is not None
        return self.fallback._start(entry, arg, stdout, stderr)

    def close(self) -> None:
        self.server.close()  # the server kills the children still running, then exits
        if self.fallback is not None:
            self.fallback.close()


def make_spawner(mode: str, preload: list[str], log_path: str, notify: Callable[[str], None]) -> Spawner:
    """``auto`` forks where the OS can (POSIX fork + select on pipes), else execs."""
    if mode == "auto":
        mode = "fork" if hasattr(os, "fork") and sys.platform.startswith("linux") else "exec"
    if mode == "fork":
        return ForkSpawner(preload, log_path, notify)
    if mode == "exec":
        return ExecSpawner()
    raise ValueError(f"unknown spawn mode {mode!r}: expected one of {', '.join(MODES)}")
