"""``trtcache bench``'s ``differential.*`` figures (:mod:`pytest_trtcache.commands.bench`
renders them): ``differential.world_snapshot``, what the differential oracle's World costs
(one snapshot after a step that does nothing, in a sandbox holding what a sequence's
opening leaves), and ``differential.examples_per_s``, its sequences per second, the
reference against itself, derandomized and sized as the conformance run under
``trtcache-ci`` (:func:`pytest_trtcache.differential.machine.sized`)."""

from __future__ import annotations

import os
import tempfile
import time
from typing import Any, Optional


def _nothing(side: Any) -> None:
    """A step that does nothing: what remains of its cost is the World taken after it."""
    return None


def differential_costs(figs: Any, n: int, examples: Optional[int], base: str) -> None:
    from hypothesis import Phase, settings

    from pytest_trtcache.differential import operations as ops
    from pytest_trtcache.differential.lock_holder import LockHolder
    from pytest_trtcache.differential.machine import run_differential, sized
    from pytest_trtcache.differential.side import Side
    from pytest_trtcache.lifecycle.profiles import CI, register
    from pytest_trtcache.targets import resolve

    runtime = resolve("reference", role="oracle").runtime("python")
    holder = LockHolder().start()
    try:
        sandbox = os.path.join(base, "differential-world")
        os.makedirs(sandbox)
        side = Side(runtime, sandbox, holder)
        # what a sequence's opening leaves: a facade with bytes saved into a nested
        # directory and loaded back (the file, its lock), and two caller's streams
        for operation, *args in ((ops.construct, "absolute", False), (ops.deserialize, 0, 1, "plain"), (ops.save, 0, "nested"),
                                 (ops.load, 0, "nested"), (ops.open_stream, "file", 1), (ops.open_stream, "memory-blob", 2)):
            side.step(operation, *args)
        entries = len(side.step(_nothing).tree)
        for _ in range(n):
            t0 = time.perf_counter()
            side.step(_nothing)
            figs.add("differential.world_snapshot", time.perf_counter() - t0,
                     note=f"one World after a step that does nothing (process, threads, fds, hooks, {len(side.streams)} streams, a sandbox of {entries} entries)")
        side.step(ops.drop_all)
    finally:
        holder.close()

    register()
    profile = sized(settings.get_profile(CI))  # derandomized: every run draws the same sequences
    if examples is not None:
        profile = settings(profile, max_examples=examples)
    made = [0]

    def sandbox() -> str:
        made[0] += 1
        return tempfile.mkdtemp(dir=base, prefix="differential-")

    start = time.perf_counter()
    found = run_differential(runtime, resolve("reference", role="oracle").runtime("python"), settings(profile, phases=[Phase.generate]), base_dir=sandbox)
    secs = time.perf_counter() - start
    if found:
        raise RuntimeError(f"the reference differs from itself: {sorted(found)}")
    name = "differential.examples_per_s"
    figs.add(name, made[0] / secs, unit="1/s", note=f"{made[0]} sequences of <= {profile.stateful_step_count} steps, the reference's python runtime against itself, derandomized ({CI}, sized as the conformance run)")
    figs.data[name]["examples"] = made[0]
