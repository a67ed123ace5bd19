"""A child's entry point: ``python -m pytest_trtcache.spawn.child ENTRY PAYLOAD``: any
``module:function`` called on one dataclass payload (:mod:`.payload`), as :func:`call`
runs it. Every child of the suite starts here, exec'd or forked.

:func:`run` is the entry of a step child: it takes a step, resolves the target, activates the runtime for the whole process,
performs the operation, writes the observation to the file the step names, and then
returns so the interpreter shuts down normally: ``atexit`` hooks, module teardown and
``__del__`` run as in production, with this child's unraisable hook still recording.
The fork server calls the same entry in a forked child, then raises ``SystemExit`` so
that child finalizes too.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import sys
import time
import traceback
from typing import Any

from pytest_trtcache.contract.unraisable import UnraisableRecorder, leak_from

from . import payload
from .protocol import ExceptionRecord, Observation, Step

#: environment variable through which the fork server passes the time it forked
FORKED_AT = "TRTCACHE_FORKED_AT"


class PersistentRecorder(UnraisableRecorder):
    """Appends every hook call to a JSON-lines file at once: shutdown leaks happen after
    the observation is written, so they must reach disk by themselves."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        # Bound now: module teardown sets this module's globals to None before late leaks.
        self._default = sys.__unraisablehook__
        self._dumps = json.dumps

    def _hook(self, args: Any) -> None:
        try:
            leak = leak_from(args)
            self.leaks.append(leak)
            line = self._dumps(leak.__dict__)
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(line + "\n")
        except BaseException:
            # Too late in shutdown to record: let the default hook print it, so stderr.py sees it.
            self._default(args)


def run(step: Step) -> int:
    """Perform one step; return the exit status. Never raises."""
    started = time.time()
    os.chdir(step.workdir)
    sys.unraisablehook = PersistentRecorder(step.leaks)._hook  # for the rest of the process, shutdown included: never given back
    obs = Observation(step=step.describe(), pid=os.getpid())
    obs.timing["child_start"] = started
    if os.environ.get(FORKED_AT):  # set by the fork server in a forked child
        obs.timing["forked"] = float(os.environ.pop(FORKED_AT))
    try:
        from pytest_trtcache.targets import NotObservable, resolve
        from pytest_trtcache.targets.engine_wrapper import HarnessInterfaceError

        runtime = resolve(step.target, role=step.role).runtime(step.runtime)
        runtime.activate_process()
        obs.timing["activated"] = time.time()
        from . import ops

        try:
            (ops.save if step.op == "save" else ops.load)(runtime, step, obs)
        except NotObservable as exc:
            obs.not_observable = str(exc)
        except HarnessInterfaceError as exc:
            obs.harness_interface = str(exc)
    except Exception as exc:
        obs.exceptions.append(ExceptionRecord(type(exc).__name__, str(exc), traceback.format_exc()))
    gc.collect()  # leaks from cycles now, not at an arbitrary later point
    obs.timing["op_done"] = time.time()
    tmp = step.observation + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(obs.to_json())
    os.replace(tmp, step.observation)  # the parent never reads a half-written observation
    return 0


def call(entry: str, arg: str) -> int:
    """Run ``entry`` (``"module:function"``) on the payload ``arg`` encodes; its result
    is the exit status."""
    module, _, name = entry.partition(":")
    return int(getattr(importlib.import_module(module), name)(payload.loads(arg)) or 0)


def main(argv: list[str]) -> int:
    if len(argv) == 3:
        return call(argv[1], argv[2])
    print("usage: python -m pytest_trtcache.spawn.child ENTRY PAYLOAD", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
