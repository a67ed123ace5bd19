"""Runtime pairs (saver -> loader) and the runs of one pair over one channel.

A pair is two runtimes, of the target or of ``--trtcache-peer``; its id reads
``python->cpp`` (``python->peer-python`` across targets). A :class:`PairRun` is the
saver child's and the loader child's observations for one channel; runs are memoized
per session so several clauses judge the same two children instead of respawning
(and a saver child serves every pair it starts).
"""

from __future__ import annotations

import json
import os
import shutil
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
        """A side that could not look makes the pair not observable; a side that could not
        drive the target's wrapper makes it a harness-interface error (not the clause's)."""
        from pytest_trtcache.targets.engine_wrapper import HarnessInterfaceError

        for side, obs in (("saver", self.save), ("loader", self.load)):
            if obs.harness_interface:
                raise HarnessInterfaceError(f"{side}: {obs.harness_interface}")
            if obs.not_observable:
                raise NotObservable(f"{side}: {obs.not_observable}")


def step_for(runtime: Runtime, op: str, channel: str, workdir: str, artifact: str, saver: Optional[Runtime] = None) -> Step:
    """A step in ``runtime``; a load of what ``saver`` (of another target) saved names it."""
    os.makedirs(workdir, exist_ok=True)
    across = saver is not None and saver.target is not runtime.target
    return Step(
        target=runtime.target.spec, role=runtime.target.role, runtime=runtime.name, op=op, channel=channel,
        workdir=workdir, artifact=artifact, engine_runs=[[n, list(s)] for n, s in ENGINE_RUNS],
        saver_target=saver.target.spec if across else "", saver_role=saver.target.role if across else "",
    )


class PairRuns:
    """The pair runs of a session: each (pair, channel) is observed once and judged by
    every clause that reads it (C1, C2, W2, F3).

    A saver does not depend on its loader, so one saver child per (saver runtime,
    channel) serves every pair it starts: its artifact is copied to each loader, so a
    loader that writes where it loads (an autosave at exit) cannot change what the next
    loader reads. Under pytest-xdist the clauses of one run may land on different
    workers: with ``shared`` (a directory every worker of the run sees, xdist's
    documented place for shared data) the first worker to need a child runs it under a
    file lock and leaves its observation there; the others read it instead of respawning.
    """

    def __init__(self, run: Callable[[Step], Observation], base: str, shared: Optional[str] = None) -> None:
        self._run, self._base, self._shared = run, base, shared
        self._memo: dict[str, Observation] = {}

    def get(self, pair: RuntimePair, channel: str) -> PairRun:
        saver_dir = os.path.join(self._root, f"save-{pair.saver.id}", channel)
        artifact = os.path.join(saver_dir, "artifact.bin")
        saved = self._once(f"save-{pair.saver.id}-{channel}", lambda: self._run(step_for(pair.saver, "save", channel, saver_dir, artifact)))
        where = os.path.join(self._root, f"load-{pair.id.replace('->', '__to__')}", channel)

        def load() -> Observation:
            own = os.path.join(where, "artifact.bin")
            os.makedirs(where, exist_ok=True)
            if os.path.exists(artifact):
                shutil.copyfile(artifact, own)
            return self._run(step_for(pair.loader, "load", channel, os.path.join(where, "loader"), own, saver=pair.saver))

        loaded = self._once(f"load-{pair.id}-{channel}", load)
        return PairRun(pair, channel, artifact, saved, loaded)

    @property
    def _root(self) -> str:
        return self._shared or self._base

    def _once(self, key: str, observe: Callable[[], Observation]) -> Observation:
        if key not in self._memo:
            self._memo[key] = self._observe_shared(key, observe) if self._shared else observe()
        return self._memo[key]

    def _observe_shared(self, key: str, observe: Callable[[], Observation]) -> Observation:
        from filelock import FileLock

        assert self._shared is not None
        record = os.path.join(self._shared, key.replace("->", "__to__") + ".json")
        os.makedirs(self._shared, exist_ok=True)
        with FileLock(record + ".lock"):  # no timeout: each child has its own (--trtcache-timeout)
            if os.path.exists(record):
                with open(record, encoding="utf-8") as f:
                    return Observation.from_dict(json.load(f))
            obs = observe()
            with open(record + ".tmp", "w", encoding="utf-8") as f:
                f.write(obs.to_json())
            os.replace(record + ".tmp", record)
            return obs


def describe_exceptions(obs: Observation) -> Any:
    return [f"{e.type}: {e.message}" for e in obs.exceptions]
