"""Fault injection at the file-system events of a target's ``save()``.

Any implementation's save is a short sequence of audited file-system events (open
the lock, open a temp file, rename...). An audit hook (PEP 578) sees each one before
it happens, whatever code performs it, so the suite can stop a save *exactly* there:
raise an ``OSError`` (in-process), or ``SIGKILL`` the process (in a child). That
makes "interrupted at any point" (clause S4) a finite, deterministic enumeration
instead of a race against a timer.

Audit events come before an operation, so a kill at ``open`` of a file rewritten in
place would land before the truncation. Writes are points too: a profile function
sees each ``write`` call on a file object under the directory (``c_call``), i.e. after
its ``open`` returned and before the bytes land.

Audit hooks cannot be removed, so one permanent hook is installed on first use and
dispatches to the injector that is active at the time (none most of the time).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

# Events that touch the file system in a save; their first argument is a path.
FS_EVENTS = ("open", "os.rename", "os.remove", "os.replace", "shutil.move", "os.symlink", "os.truncate")


class Injected(OSError):
    """The fault the injector raises in-process."""


class Injector:
    """Counts file-system events under ``directory``; acts at event number ``at``."""

    def __init__(self, directory: str, at: Optional[int] = None, action: str = "raise") -> None:
        self.directory = os.path.realpath(directory) + os.sep
        self.at = at
        self.action = action
        self.events: list[tuple[str, str]] = []

    def _touches(self, args: tuple) -> Optional[str]:
        for arg in args[:2]:
            if isinstance(arg, (str, bytes, os.PathLike)):
                path = os.fsdecode(arg)
                if os.path.realpath(path).startswith(self.directory):
                    return path
        return None

    def __call__(self, event: str, args: tuple) -> None:
        if event not in FS_EVENTS:
            return
        path = self._touches(args)
        if path is not None:
            self._point(event, path)

    def profile(self, frame: Any, event: str, arg: Any) -> None:
        if event == "c_call" and getattr(arg, "__name__", "") in ("write", "writelines"):
            name = getattr(getattr(arg, "__self__", None), "name", None)
            if isinstance(name, str) and self._touches((name,)):
                self._point("write", name)

    def _point(self, event: str, path: str) -> None:
        index = len(self.events)
        self.events.append((event, os.path.basename(path)))
        if index == self.at:
            if self.action == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            raise Injected(f"injected fault at file-system event #{index}: {event} {path}")


_active: Optional[Injector] = None


def _hook(event: str, args: tuple) -> None:
    if _active is not None:
        _active(event, args)


_installed = False


@contextlib.contextmanager
def inject(injector: Injector) -> Iterator[Injector]:
    """Activate ``injector`` for the block (in this thread's process)."""
    global _active, _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
    previous, _active = _active, injector
    previous_profile = sys.getprofile()
    sys.setprofile(injector.profile)
    try:
        yield injector
    finally:
        _restore_profile(previous_profile)
        _active = previous


def _restore_profile(previous: Any) -> None:
    """Give the profile hook back: a C profiler (``cProfile.Profile``, what ``python -m
    cProfile`` runs under) is not callable from Python and re-installs itself instead."""
    if previous is not None and not callable(previous) and callable(getattr(previous, "enable", None)):
        previous.enable()
    else:
        sys.setprofile(previous)


@dataclass
class SaverPayload:
    """The payload of :func:`saver`. Values travel as hex; a large one as ``fill``
    (``[key hex, byte, size]``) so that a request stays small."""

    target: str
    runtime: str
    path: str
    entries: dict[str, str] = field(default_factory=dict)  # key hex -> value hex
    fill: list[list[Any]] = field(default_factory=list)
    kill_at: Optional[int] = None  # SIGKILL this process at that file-system event
    rounds: int = 1  # saves, each with its own facade
    wait_for: str = ""  # a path whose creation starts the saves (concurrent savers)
    wait_s: float = 300.0  # how long to wait for it: a saver whose parent is gone gives up

    @classmethod
    def of(cls, runtime: Any, path: str, entries: dict[bytes, bytes], **extra: Any) -> "SaverPayload":
        return cls(runtime.target.spec, runtime.name, path, {k.hex(): v.hex() for k, v in entries.items()}, **extra)


def _wait_for(path: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the start file {path} did not appear within {seconds:g} s")
        time.sleep(0.005)


def saver(step: SaverPayload) -> int:
    """A child (``Spawner.start("pytest_trtcache.contract.faults:saver", SaverPayload(...))``)
    that saves ``entries`` through the target's facade, optionally killed at one of its
    events. Prints each save's events as a JSON line.
    """
    from pytest_trtcache.targets import resolve

    runtime = resolve(step.target).runtime(step.runtime)
    runtime.activate_process()
    entries = {bytes.fromhex(k): bytes.fromhex(v) for k, v in step.entries.items()}
    entries.update({bytes.fromhex(k): bytes([b]) * n for k, b, n in step.fill})
    if step.wait_for:
        # Start line for concurrent savers: all have imported torch and the target by now,
        # so their save loops really overlap.
        _wait_for(step.wait_for, step.wait_s)
    for _ in range(step.rounds):
        rc = runtime.api.RuntimeCache(step.path)
        handle = runtime.handle_of(rc)
        runtime.materialize(handle)
        runtime.add_kernels(handle, entries)
        injector = Injector(os.path.dirname(step.path), at=step.kill_at, action="kill")
        with inject(injector):
            rc.save()
        print(json.dumps({"events": injector.events}), flush=True)
    return 0
