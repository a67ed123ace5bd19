"""Runtime pairs (saver -> loader) and the runs of one pair over one channel.

A pair is two runtimes, of the target or of ``--trtcache-peer``; its id reads
``python->cpp`` (``python->peer-python`` across targets). A :class:`PairRun` is the
saver child's and the loader child's observations for one channel; runs are memoized
per session so several clauses judge the same two children instead of respawning.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Optional

from pytest_trtcache.targets import NotObservable, Runtime, Target

from .protocol import Observation, Step

# What the saver's engines run; the reference model predicts the bytes from these.
ENGINE_RUNS: tuple[tuple[str, tuple[int, ...]], ...] = (("engine", (1, 3, 224, 224)), ("engine", (8, 3, 224, 224)))


def expected_entries() -> dict[bytes, bytes]:
    from pytest_trtcache.reference.kernels import kernel_entry

    return dict(kernel_entry(name, shape) for name, shape in ENGINE_RUNS)


@dataclass(frozen=True)
class RuntimePair:
    saver: Runtime
    loader: Runtime

    @property
    def id(self) -> str:
        return f"{self.saver.id}->{self.loader.id}"

    def __str__(self) -> str:
        return self.id

    def unavailable_reason(self) -> Optional[str]:
        for side, rt in (("saver", self.saver), ("loader", self.loader)):
            reason = rt.unavailable_reason()
            if reason:
                return f"{side} runtime {rt.id} unavailable: {reason}"
        return None


def all_pairs(target: Target, peer: Optional[Target] = None) -> list[RuntimePair]:
    """runtimes x runtimes of the target; with a peer, also target -> peer and peer -> target."""
    mine = list(target.runtimes.values())
    pairs = [RuntimePair(s, l) for s in mine for l in mine]
    if peer is not None:
        theirs = list(peer.runtimes.values())
        pairs += [RuntimePair(s, l) for s in mine for l in theirs]
        pairs += [RuntimePair(s, l) for s in theirs for l in mine]
    return pairs


@dataclass
class PairRun:
    pair: RuntimePair
    channel: str
    artifact: str
    save: Observation
    load: Observation

    def stderr(self) -> str:
        parts = []
        for side, obs in (("saver", self.save), ("loader", self.load)):
            if obs.stderr.strip():
                parts.append(f"[{side} {obs.step}, {obs.spawner}]\n{obs.stderr.rstrip()}")
        return "\n".join(parts)

    def raise_if_not_observable(self) -> None:
        for side, obs in (("saver", self.save), ("loader", self.load)):
            if obs.not_observable:
                raise NotObservable(f"{side}: {obs.not_observable}")


def step_for(runtime: Runtime, op: str, channel: str, workdir: str, artifact: str) -> Step:
    os.makedirs(workdir, exist_ok=True)
    return Step(
        target=runtime.target.spec, role=runtime.target.role, runtime=runtime.name, op=op, channel=channel,
        workdir=workdir, artifact=artifact, engine_runs=[[n, list(s)] for n, s in ENGINE_RUNS],
    )


class PairRuns:
    """Memo of pair runs for a session."""

    def __init__(self, run: Callable[[Step], Observation], base: str) -> None:
        self._run, self._base = run, base
        self._memo: dict[tuple[str, str], PairRun] = {}

    def get(self, pair: RuntimePair, channel: str) -> PairRun:
        key = (pair.id, channel)
        if key not in self._memo:
            where = os.path.join(self._base, f"{pair.id.replace('->', '__to__')}", channel)
            saver_dir, loader_dir = os.path.join(where, "saver"), os.path.join(where, "loader")
            artifact = os.path.join(saver_dir, "artifact.bin")
            saved = self._run(step_for(pair.saver, "save", channel, saver_dir, artifact))
            loaded = self._run(step_for(pair.loader, "load", channel, loader_dir, artifact))
            self._memo[key] = PairRun(pair, channel, artifact, saved, loaded)
        return self._memo[key]


def describe_exceptions(obs: Observation) -> Any:
    return [f"{e.type}: {e.message}" for e in obs.exceptions]
