"""Rule: an object sent to a child process of the same target and runtime (C1, C2), and
the channel it travels through."""

from __future__ import annotations

import pickle
from typing import Any, Protocol

from hypothesis.stateful import precondition, rule

from pytest_trtcache.lifecycle.base import MachineBase
from pytest_trtcache.lifecycle.strategies import FACADE, made_any, objects
from pytest_trtcache.reference.kernels import decode, encode


class Channel(Protocol):
    """Sends a pickled handle or facade to a child in another process of the same
    target and runtime; the child loads it, materializes it and reports what it holds.

    ``(artifact, kind) -> {"serialized": hex, ...}``; ``kind`` is ``"handle"`` or
    ``"facade"``. An implementation may add ``"stderr"`` (included in failures).
    """

    def __call__(self, artifact: bytes, kind: str) -> dict[str, Any]: ...


class CrossProcessRules(MachineBase):
    """Sends objects through ``channel``: a :class:`Channel`
    in a class attribute (a plain function there needs ``staticmethod``), by default the
    spawn layer's channel to the bound target and runtime with a fresh interpreter per send
    (a run under the plugin passes the warm server's, ``trtcache_channel``)."""

    def channel(self, artifact: bytes, kind: str) -> dict[str, Any]:
        import os

        from pytest_trtcache.spawn.channel import SpawnerChannel
        from pytest_trtcache.spawn.spawners import ExecSpawner

        return SpawnerChannel(ExecSpawner(), self.runtime.target.spec, self.runtime.name, os.path.join(self.tmp, "channel"))(artifact, kind)

    @precondition(made_any)
    @rule(obj=objects)
    def send_to_child(self, obj: str) -> None:
        m = self.world.objects[obj]
        self.begin(f"send {obj} [{m.state}] to a child process")
        c = self.check("C1")
        with c.no_exception(f"pickle a {m.state} {m.kind}"):
            artifact = pickle.dumps(self.objects[obj])
        seen = self.channel(artifact, m.kind)
        stderr = seen.get("stderr", "")
        self.expect("C1", "child's run", seen.get("error"), None, stderr)
        self.expect("C1", "what the child holds after materializing", bytes.fromhex(seen["serialized"]), encode(decode(m.blob())), stderr)
        self.expect("C2", "'Exception ignored' in the child's stderr", "Exception ignored" in stderr, False, stderr)
        if m.kind == FACADE:
            self.world.reports_due = []
            self.world.autosave(m.loaded_copy())  # the child's copy autosaves at its exit (A1)
            for clause, why in self.world.reports_due:  # reported on the child's stderr
                self.expect(clause, f"{why} reported in the child's stderr", bool(stderr.strip()), True, stderr)
            self.world.reports_due = []
            self.settle_shared_saves(stderr)
