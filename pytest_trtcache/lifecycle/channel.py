"""The cross-process channel: a pickled handle or facade sent to a child process (C1, C2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any, Protocol


class Channel(Protocol):
    """Sends a pickled handle or facade to a child in another process of the same
    target and runtime; the child loads it, materializes it and reports what it holds.

    ``(artifact, kind) -> {"serialized": hex, ...}``; ``kind`` is ``"handle"`` or
    ``"facade"``. An implementation may add ``"stderr"`` (included in failures).
    """

    def __call__(self, artifact: bytes, kind: str) -> dict[str, Any]: ...


_CHILD = r"""
import json, pickle, sys
from pytest_trtcache.targets import resolve
from pytest_trtcache.targets.base import bytes_of
spec, name, kind = sys.argv[1:4]
rt = resolve(spec).runtime(name)
rt.activate_process()
obj = pickle.loads(sys.stdin.buffer.read())
handle = obj if kind == "handle" else rt.handle_of(obj)
rt.materialize(handle)
print(json.dumps({"serialized": bytes_of(handle.serialize()).hex()}))
"""


class SubprocessChannel:
    """The simplest :class:`Channel`: a fresh ``python -c`` per send (about 2 s each).

    The child exits through a normal interpreter shutdown, so a facade that arrives
    with autosave on saves at the child's exit, as in production.
    """

    def __init__(self, target_spec: str, runtime_name: str, timeout_s: float = 120.0) -> None:
        self.target_spec, self.runtime_name, self.timeout_s = target_spec, runtime_name, timeout_s

    def __repr__(self) -> str:
        return f"SubprocessChannel({self.target_spec!r}, {self.runtime_name!r})"

    def __call__(self, artifact: bytes, kind: str) -> dict[str, Any]:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p or os.getcwd() for p in sys.path))
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, self.target_spec, self.runtime_name, kind],
            input=artifact,
            capture_output=True,
            env=env,
            timeout=self.timeout_s,
        )
        stderr = proc.stderr.decode(errors="replace")
        lines = proc.stdout.decode(errors="replace").strip().splitlines()
        if proc.returncode != 0 or not lines:
            return {"error": f"child exited {proc.returncode}", "stderr": stderr}
        return {**json.loads(lines[-1]), "stderr": stderr}
