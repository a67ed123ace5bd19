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
        sys.setprofile(previous_profile)
        _active = previous


def saver(step_json: str) -> int:
    """A child (``Spawner.start("pytest_trtcache.contract.faults:saver", STEP)``) that saves
    ``entries`` through the target's facade, optionally killed at one of its events.

    Step (JSON): target, runtime, path, entries (hex key -> hex value), fill ([key hex,
    byte, size] for large values), kill_at (event index or null), rounds (repeat the
    save, each with its own facade), wait_for (a path whose creation starts the saves).
    Prints each save's events as a JSON line.
    """
    step: dict[str, Any] = json.loads(step_json)
    from pytest_trtcache.targets import resolve

    runtime = resolve(step["target"]).runtime(step["runtime"])
    runtime.activate_process()
    entries = {bytes.fromhex(k): bytes.fromhex(v) for k, v in step["entries"].items()}
    # Large values travel as (key hex, byte, size): a command line cannot carry them.
    entries.update({bytes.fromhex(k): bytes([b]) * n for k, b, n in step.get("fill", [])})
    if step.get("wait_for"):
        # Start line for concurrent savers: all have imported torch and the target by now,
        # so their save loops really overlap.
        import time

        while not os.path.exists(step["wait_for"]):
            time.sleep(0.005)
    for _ in range(step.get("rounds", 1)):
        rc = runtime.api.RuntimeCache(step["path"])
        handle = runtime.handle_of(rc)
        runtime.materialize(handle)
        runtime.add_kernels(handle, entries)
        injector = Injector(os.path.dirname(step["path"]), at=step.get("kill_at"), action="kill")
        with inject(injector):
            rc.save()
        print(json.dumps({"events": injector.events}), flush=True)
    return 0
