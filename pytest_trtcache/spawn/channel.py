"""The lifecycle's cross-process channel through the spawner: each send is a child of
the warm server (a fork, about 0.2 s) or a fresh interpreter (``--trtcache-spawn=exec``).

Implements :class:`pytest_trtcache.lifecycle.Channel` (structurally: this
package does not import the lifecycle): ``(artifact, kind) -> {"serialized": hex,
"stderr": ...}``, or ``{"error": ..., "stderr": ...}`` when the child gives no answer.
The child ends with a normal interpreter shutdown, so a facade that arrives with
autosave on saves at the child's exit, as in production.
"""

from __future__ import annotations

import itertools
import json
import os
import pickle
from dataclasses import dataclass
from typing import Any

from .spawners import Spawner

ENTRY = "pytest_trtcache.spawn.channel:receive"


@dataclass
class Send:
    """The payload of :func:`receive`: where the pickle is and where the answer goes."""

    target: str
    runtime: str
    kind: str  # "handle" or "facade"
    artifact: str
    answer: str


def receive(send: Send) -> int:
    """The child: load the pickle, materialize its handle, write what it serializes to."""
    from pytest_trtcache.targets import resolve
    from pytest_trtcache.targets.base import bytes_of

    runtime = resolve(send.target).runtime(send.runtime)
    runtime.activate_process()
    with open(send.artifact, "rb") as f:
        obj = pickle.load(f)
    handle = obj if send.kind == "handle" else runtime.handle_of(obj)
    runtime.materialize(handle)
    answer = json.dumps({"serialized": bytes_of(handle.serialize()).hex()})
    with open(send.answer + ".tmp", "w", encoding="utf-8") as f:
        f.write(answer)
    os.replace(send.answer + ".tmp", send.answer)  # never half an answer
    return 0


class SpawnerChannel:
    """One child per send, started by ``spawner``, each in its own directory under ``workdir``."""

    def __init__(self, spawner: Spawner, target_spec: str, runtime_name: str, workdir: str, timeout_s: float = 120.0) -> None:
        self.spawner, self.target_spec, self.runtime_name = spawner, target_spec, runtime_name
        self.workdir, self.timeout_s = workdir, timeout_s
        self._sends = itertools.count()

    def __repr__(self) -> str:
        return f"SpawnerChannel({self.spawner.spawner_name}, {self.target_spec!r}, {self.runtime_name!r})"

    def __call__(self, artifact: bytes, kind: str) -> dict[str, Any]:
        directory = os.path.join(self.workdir, f"send{next(self._sends)}")
        os.makedirs(directory)
        send = Send(self.target_spec, self.runtime_name, kind, os.path.join(directory, "artifact.pickle"), os.path.join(directory, "answer.json"))
        with open(send.artifact, "wb") as f:
            f.write(artifact)
        child = self.spawner.start(ENTRY, send, os.path.join(directory, "stdout"), os.path.join(directory, "stderr"))
        child.wait(self.timeout_s)
        _out, stderr = child.output()
        if child.returncode != 0 or not os.path.exists(send.answer):
            why = f"killed after {self.timeout_s:g} s" if child.timed_out else f"exited {child.returncode}"
            return {"error": f"child {why}", "stderr": stderr}
        with open(send.answer, encoding="utf-8") as f:
            return {**json.loads(f.read()), "stderr": stderr}
