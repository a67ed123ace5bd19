"""One side of the comparison: an implementation's runtime in a sandbox of its own.

The side keeps the objects the sequence made (facades and handles, by index), the
caller's streams and tensors, and a private at-exit registry. :meth:`Side.step` runs one
operation with the sandbox as working directory and returns the :class:`World` after it.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Optional

import torch

from pytest_trtcache.contract.recorders import AtexitRecorder
from pytest_trtcache.contract.verdict import ClauseViolation
from pytest_trtcache.targets.base import NotObservable, Runtime, bytes_of

from .lock_holder import LockHolder, Wait
from .process_state import ProcessMark
from .streams import stream_state
from .world import World, sandbox_listing


class Side:
    def __init__(self, runtime: Runtime, sandbox: str, lock_holder: LockHolder) -> None:
        self.runtime, self.sandbox, self.lock_holder = runtime, sandbox, lock_holder
        self.objects: list[Optional[tuple[str, Any]]] = []  # ("facade" | "handle", object)
        self.streams: list[tuple[Any, str]] = []  # (stream, path of a real file or "")
        self.atexit = AtexitRecorder()
        # set by an operation for the World of its step
        self.caller_tensor: Optional[torch.Tensor] = None
        self.copy_independent: Optional[bool] = None
        self.lock_wait: Optional[Wait] = None

    @property
    def api(self) -> Any:
        return self.runtime.api

    def handle(self, index: int) -> Any:
        kind, obj = self.objects[index]  # type: ignore[misc]
        return obj if kind == "handle" else self.runtime.handle_of(obj)

    def relative(self, value: Any) -> Any:
        """``value`` with this sandbox's absolute prefix replaced by ``<sandbox>``."""
        if isinstance(value, str) and (value == self.sandbox or value.startswith(self.sandbox + os.sep)):
            return "<sandbox>" + value[len(self.sandbox) :]
        return value

    def normal(self, value: Any) -> Any:
        """A value as the comparison sees it: type and contents, paths sandbox-relative."""
        if isinstance(value, torch.Tensor):
            return ("tensor", str(value.dtype), bytes_of(value) if value.dtype == torch.uint8 else tuple(value.shape))
        if isinstance(value, (bool, int, float, bytes, type(None))):
            return (type(value).__name__, value)
        if isinstance(value, str):
            return ("str", self.relative(value))
        if isinstance(value, tuple):
            return tuple(self.normal(v) for v in value)
        return ("object", type(value).__name__)

    def step(self, operation: Callable[..., Any], *args: Any) -> World:
        self.caller_tensor = self.copy_independent = self.lock_wait = None
        home = os.getcwd()
        os.chdir(self.sandbox)
        logged = [stream for stream, _ in self.streams if hasattr(stream, "calls")]  # not a real file
        for stream in logged:
            stream.calls.clear()
            stream.recording = True
        mark = ProcessMark.now()
        try:
            with self.runtime.active(), self.atexit:
                try:
                    outcome: tuple = ("returned", self.normal(operation(self, *args)))
                except (NotObservable, ClauseViolation):
                    raise  # the harness cannot drive this target here, or the test's deadline: not an outcome
                except Exception as exc:  # the type is compared, the message is free
                    outcome = ("raised", type(exc).__name__)
            threads, fds, process = mark.left_behind()
        finally:
            for stream in logged:
                stream.recording = False
            os.chdir(home)
        modes, tree = sandbox_listing(self.sandbox)
        return World(
            outcome=outcome,
            process=process,
            threads=threads,
            fds=fds,
            atexit_hooks=len(self.atexit.live),
            streams=tuple(stream_state(s, p) for s, p in self.streams),
            caller_tensor=None if self.caller_tensor is None else bytes_of(self.caller_tensor),
            copy_independent=self.copy_independent,
            lock_wait=None if self.lock_wait is None else self.lock_wait.verdict,
            modes=modes,
            tree=tree,
        )
