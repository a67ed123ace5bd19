"""Side-by-side cost of a child and of a pair under exec and fork (not a timed test).

    python ci/bench_spawn.py [-n 20] [--suite]

Prints median and p90 wall time of one child (a save) and of one pair (save + load
over the stream channel) per spawner, interleaved so both see the same machine load,
plus where a forked child's time goes (fork -> step start -> op done -> exit). With
``--suite`` it also times the cross-runtime conformance files under each spawner.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from pytest_trtcache.spawn.pairs import step_for  # noqa: E402
from pytest_trtcache.spawn.spawners import ExecSpawner, ForkSpawner  # noqa: E402
from pytest_trtcache.targets import resolve  # noqa: E402


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def line(name: str, values: list[float]) -> str:
    return f"{name:28s} n={len(values):3d}  median {statistics.median(values) * 1000:8.1f} ms  p90 {pct(values, 0.9) * 1000:8.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=20)
    parser.add_argument("--suite", action="store_true")
    args = parser.parse_args()
    runtime = resolve("reference").runtime("python")
    base = tempfile.mkdtemp(prefix="trtcache-bench-")
    spawners = {"exec": ExecSpawner(), "fork": ForkSpawner(["reference"], os.path.join(base, "server.log"), print)}
    child: dict[str, list[float]] = {k: [] for k in spawners}
    pair: dict[str, list[float]] = {k: [] for k in spawners}
    phases: dict[str, list[float]] = {"fork->step start": [], "step start->op done": [], "op done->reaped (shutdown)": [], "request->fork": []}
    t = time.perf_counter()
    spawners["fork"].run(step_for(runtime, "save", "stream", os.path.join(base, "warm"), os.path.join(base, "warm", "a")), 120)
    print(f"fork server start (first request, one-off): {time.perf_counter() - t:.2f} s")
    for i in range(args.n):
        for name, spawner in spawners.items():  # interleaved: same load for both
            d = os.path.join(base, f"{name}{i}")
            art = os.path.join(d, "s", "artifact.bin")
            t0 = time.perf_counter()
            saved = spawner.run(step_for(runtime, "save", "stream", os.path.join(d, "s"), art), 120)
            t1 = time.perf_counter()
            loaded = spawner.run(step_for(runtime, "load", "stream", os.path.join(d, "l"), art), 120)
            t2 = time.perf_counter()
            assert not saved.exceptions and not loaded.exceptions, (saved.exceptions, loaded.exceptions)
            child[name].append(t1 - t0)
            pair[name].append(t2 - t0)
            if name == "fork":
                tm = saved.timing
                phases["request->fork"].append(tm["forked"] - tm["spawn_start"])
                phases["fork->step start"].append(tm["child_start"] - tm["forked"])
                phases["step start->op done"].append(tm["op_done"] - tm["child_start"])
                phases["op done->reaped (shutdown)"].append(tm["exited"] - tm["op_done"])
    for s in spawners.values():
        s.close()
    for name in spawners:
        print(line(f"child ({name})", child[name]))
    for name in spawners:
        print(line(f"pair ({name})", pair[name]))
    print("where a forked child's time goes:")
    for name, values in phases.items():
        print("  " + line(name, values))
    if args.suite:
        for mode in ("exec", "fork"):
            t = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "pytest", "-p", "trtcache", "-q", "-p", "no:cacheprovider", f"--trtcache-spawn={mode}",
                 "conformance/test_cross_runtime.py", "conformance/test_shutdown.py"],
                cwd=ROOT, capture_output=True, text=True,
            )
            tail = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr[-200:]
            print(f"cross-runtime suite ({mode}): {time.perf_counter() - t:.1f} s wall  [{tail}]")


if __name__ == "__main__":
    main()
