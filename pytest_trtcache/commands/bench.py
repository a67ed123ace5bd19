"""``trtcache bench``: side-by-side costs of children, pairs, the plugin, the suite and
the lifecycle machine (a benchmark, never a timed test).

    trtcache bench [-n 10] [--examples 30] [--cross-examples 4] [--differential-examples N] [--suite | --suite-only] [--json PATH] [--plot PATH]

Variants that are compared run interleaved in one loop (exec, fork, exec, fork, ...) so
both see the same machine load; every figure carries its sample size ``n``. Figures:

* ``child.*`` / ``pair.*``: one child (a save over the stream channel) and one pair
  (save + load) under the exec and fork spawners; ``fork_phase.*``: where a forked
  child's time goes, from :mod:`pytest_trtcache.commands.bench_probe` stamps;
* ``finalization.*``: the shutdown of a torch-loaded interpreter split into process
  exit, a forked child's finalization as it runs now (torch frozen, the target young),
  the same with the whole warm heap unfrozen (as before), and an exec'd interpreter's;
* ``import.*`` / ``pytest.*``: ``-X importtime`` of the plugin, and a trivial test file
  under pytest with ``-p trtcache`` vs ``-p no:trtcache``;
* ``channel.*``: one send over the cross-process channel
  (:class:`~pytest_trtcache.spawn.channel.SpawnerChannel`) under each spawner;
* ``lifecycle.*``: state-machine examples per second in-process and with the
  cross-process channel (forked children);
* ``differential.*``: one differential World, and sequences per second (:mod:`.bench_differential`);
* ``suite.*`` (``--suite``): the conformance suite against ``reference``, sequential
  and with ``-n 2`` (one run each); and with ``-n 2`` against the benchmark's vendor
  package (:mod:`pytest_trtcache.commands.bench_vendor`): ``suite.vendor_passing`` (fixed),
  ``suite.vendor_failing`` (three bugs), ``suite.vendor_gapped`` (the same bugs, the
  hostile-world machine a known gap), with ``ratio.failing_over_passing`` and
  ``ratio.gapped_over_failing``. ``--suite-only`` times these alone.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, Optional, Sequence

from pytest_trtcache.commands import bench_differential, bench_plot
from pytest_trtcache.commands.bench_suite import suite_costs, vendor_costs
from pytest_trtcache.spawn.environment import child_env

PROBE = "pytest_trtcache.commands.bench_probe"
GOALS = {
    "fork pair / exec pair": "<= 1/6 (0.167)",
    "suite -n 2": "< 30 s",
    "plugin load": "< 50 ms",
    "failing / passing vendor, -n 2": "<= 2",
    "gapped / failing vendor, -n 2": "<= 1",
}


class Figures:
    """Named samples; each figure keeps its unit, values and sample size."""

    def __init__(self) -> None:
        self.data: dict[str, dict[str, Any]] = {}

    def add(self, name: str, value: float, unit: str = "s", note: str = "") -> None:
        fig = self.data.setdefault(name, {"unit": unit, "values": [], "note": note})
        fig["values"].append(value)

    def summary(self) -> dict[str, dict[str, Any]]:
        out = {}
        for name, fig in self.data.items():
            values = fig["values"]
            out[name] = {**fig, "n": len(values), "median": statistics.median(values), "p90": pct(values, 0.9)}
        return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def wall(args: list[str], **kwargs: Any) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, env=child_env(), **kwargs)
    return time.perf_counter() - start, proc


# -- children and pairs -----------------------------------------------------------------
def spawn_costs(figs: Figures, n: int, base: str) -> None:
    from pytest_trtcache.spawn.pairs import step_for
    from pytest_trtcache.spawn.spawners import ExecSpawner, ForkSpawner
    from pytest_trtcache.targets import resolve

    probe_dir = os.path.join(base, "probe")
    os.makedirs(probe_dir)
    os.environ["TRTCACHE_BENCH_PROBE_DIR"] = probe_dir  # the fork server inherits it
    runtime = resolve("reference").runtime("python")
    fork = ForkSpawner(["reference"], os.path.join(base, "server.log"), print, imports=(PROBE,))
    spawners = {"exec": ExecSpawner(), "fork": fork}
    start = time.perf_counter()
    fork.run(step_for(runtime, "save", "stream", os.path.join(base, "warm"), os.path.join(base, "warm", "a")), 300)
    figs.add("fork.server_start", time.perf_counter() - start, note="one-off: first request starts the warm server")
    try:
        for i in range(n):
            for name, spawner in spawners.items():  # interleaved: same load for both
                d = os.path.join(base, f"{name}{i}")
                art = os.path.join(d, "s", "artifact.bin")
                t0 = time.perf_counter()
                saved = spawner.run(step_for(runtime, "save", "stream", os.path.join(d, "s"), art), 300)
                t1 = time.perf_counter()
                loaded = spawner.run(step_for(runtime, "load", "stream", os.path.join(d, "l"), art), 300)
                t2 = time.perf_counter()
                for obs in (saved, loaded):
                    if obs.exceptions or obs.returncode != 0:
                        raise RuntimeError(f"bench child failed under {name}: {obs.exceptions} {obs.stderr[-2000:]}")
                figs.add(f"child.{name}", t1 - t0, note="one save child over the stream channel")
                figs.add(f"pair.{name}", t2 - t0, note="save child + load child (stream)")
                if name == "fork":
                    fork_phases(figs, saved.timing, os.path.join(probe_dir, f"{saved.pid}.log"))
    finally:
        for spawner in spawners.values():
            spawner.close()
    for i, (e, f) in enumerate(zip(figs.data["pair.exec"]["values"], figs.data["pair.fork"]["values"])):
        figs.add("ratio.pair_fork_over_exec", f / e, unit="x", note="per round, same load")


def fork_phases(figs: Figures, tm: dict[str, float], probe_log: str) -> None:
    with open(probe_log, encoding="utf-8") as f:
        at: dict[str, float] = {}
        for line in f:
            name, t = line.split()
            at.setdefault(name, float(t))
    note = "forked save child, stamps from " + PROBE
    figs.add("fork_phase.request_to_fork", at["fork"] - tm["spawn_start"], note=note)
    figs.add("fork_phase.fork_to_step_start", tm["child_start"] - at["fork"], note=note)
    figs.add("fork_phase.step", at["step-done"] - tm["child_start"], note=note + " (op + observation written)")
    figs.add("fork_phase.atexit_hooks", at["atexit-last"] - at["atexit-first"], note=note)
    figs.add("fork_phase.after_atexit_to_reaped", tm["exited"] - at["atexit-last"], note=note + " (module teardown, gc, exit, reap)")


# -- what a torch-loaded interpreter's shutdown costs ----------------------------------
_FORKED = r"""
import gc, json, os, sys, time
from pytest_trtcache.spawn import server
server._import_warm_libraries()
gc.collect(); gc.freeze()  # as the server does: torch and the libraries frozen, the target young
if sys.argv[3] == "server":  # as the server does: exit() skips the warm libraries' C++ destructors
    from pytest_trtcache.spawn import warm_exit
    warm_exit.skip_destructors_registered_so_far()
server._preload(["reference"], [])
modes, n = sys.argv[1].split(","), int(sys.argv[2])
out = {m: [] for m in modes}
for _ in range(n):
    for mode in modes:  # interleaved
        t0 = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            if mode == "os_exit":
                os._exit(0)
            if mode == "unfrozen":
                gc.unfreeze()
            sys.exit(0)
        os.waitpid(pid, 0)
        out[mode].append(time.perf_counter() - t0)
print(json.dumps(out))
"""
_EXEC = "from pytest_trtcache.spawn import server; server._import_warm_libraries(); server._preload(['reference'], []){}"
FORK_MODES = {
    "os_exit": "fork + os._exit(0) (no finalization)",
    "frozen": "fork + finalize, torch frozen, the target young, the warm libraries' C++ destructors skipped (what a forked child does)",
    "unfrozen": "fork + gc.unfreeze() + finalize (the whole warm heap walked)",
}
WHOLE_EXIT = "fork + finalize as frozen, then every library's C++ static destructors (spawn/warm_exit.py not registered; its own probe process, after the first)"


def finalization_split(figs: Figures, n: int) -> None:
    for probe, modes in (("server", ",".join(FORK_MODES)), ("whole_exit", "frozen")):
        t, proc = wall([sys.executable, "-c", _FORKED, modes, str(n), probe])
        if proc.returncode != 0:
            raise RuntimeError(f"finalization probe failed: {proc.stderr[-2000:]}")
        for mode, values in json.loads(proc.stdout.strip().splitlines()[-1]).items():
            for v in values:
                if probe == "server":
                    figs.add(f"finalization.fork_{mode}", v, note=FORK_MODES[mode])
                else:
                    figs.add("finalization.fork_frozen_whole_exit", v, note=WHOLE_EXIT)
    for _ in range(n):  # a fresh interpreter: the same preload, then finalize or os._exit
        for mode, tail in (("finalize", ""), ("os_exit", "; import os; os._exit(0)")):
            t, proc = wall([sys.executable, "-c", _EXEC.format(tail)])
            figs.add(f"finalization.exec_{mode}", t, note=f"python -c '<server preload>{tail}'")


# -- the plugin's load cost -------------------------------------------------------------
def import_costs(figs: Figures, n: int, base: str) -> None:
    work = os.path.join(base, "trivial")
    os.makedirs(work)
    with open(os.path.join(work, "test_trivial.py"), "w", encoding="utf-8") as f:
        f.write("def test_trivial():\n    assert 1 + 1 == 2\n")
    with open(os.path.join(work, "pytest.ini"), "w", encoding="utf-8") as f:
        f.write("[pytest]\n")
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", "pytest.ini", "test_trivial.py"]
    for _ in range(n):
        # pytest first: inside a pytest run it is already imported, so only the plugin's own cost counts
        for name, code in (("alone", "import pytest_trtcache.plugin.hooks"), ("after_pytest", "import pytest; import pytest_trtcache.plugin.hooks")):
            _, proc = wall([sys.executable, "-X", "importtime", "-c", code], cwd=work)
            cumulative, torch = importtime_of(proc.stderr, "pytest_trtcache.plugin.hooks")
            if torch:
                raise RuntimeError("importing pytest_trtcache.plugin.hooks imported torch")
            figs.add(f"import.plugin_{name}", cumulative, note=f"-X importtime -c '{code}': cumulative of the plugin (torch not imported)")
        for name, flag in (("with", "trtcache"), ("without", "no:trtcache")):  # interleaved
            t, proc = wall(pytest + ["-p", flag], cwd=work)
            if proc.returncode != 0:
                raise RuntimeError(f"trivial pytest run ({flag}) failed: {proc.stdout[-2000:]}")
            figs.add(f"pytest.trivial_{name}_trtcache", t, note=f"pytest -p {flag} on one trivial test, wall")
    for w, o in zip(figs.data["pytest.trivial_with_trtcache"]["values"], figs.data["pytest.trivial_without_trtcache"]["values"]):
        figs.add("pytest.plugin_load_delta", w - o, note="per round: (-p trtcache) - (-p no:trtcache)")


def importtime_of(stderr: str, module: str) -> tuple[float, bool]:
    """(cumulative seconds of ``module``, whether torch was imported) from -X importtime."""
    cumulative, torch = None, False
    for line in stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            torch = torch or m.group(4).split(".")[0] == "torch"
            if m.group(4) == module:
                cumulative = int(m.group(2)) / 1e6
    if cumulative is None:
        raise RuntimeError(f"-X importtime did not list {module}:\n{stderr[-2000:]}")
    return cumulative, torch


# -- the lifecycle state machine -------------------------------------------------------
class _Counting:
    """A channel that counts its sends."""

    def __init__(self, channel: Any) -> None:
        self.channel, self.sends = channel, 0

    def __call__(self, artifact: bytes, kind: str) -> dict[str, Any]:
        self.sends += 1
        return self.channel(artifact, kind)


def channel_costs(figs: Figures, n: int, base: str) -> None:
    """One send of a pickled handle over the spawner channel, exec vs fork, interleaved."""
    import pickle

    from pytest_trtcache.spawn.channel import SpawnerChannel
    from pytest_trtcache.spawn.spawners import ExecSpawner, ForkSpawner
    from pytest_trtcache.targets import resolve

    runtime = resolve("reference").runtime("python")
    runtime.activate_process()
    artifact = pickle.dumps(runtime.new_handle(os.path.join(base, "channel.bin")))
    fork = ForkSpawner(["reference"], os.path.join(base, "channel-server.log"), print)
    channels = {name: SpawnerChannel(sp, "reference", "python", os.path.join(base, f"channel-{name}")) for name, sp in (("exec", ExecSpawner()), ("fork", fork))}
    try:
        channels["fork"](artifact, "handle")  # starts the warm server: not a send's cost
        for _ in range(n):
            for name, channel in channels.items():
                t0 = time.perf_counter()
                answer = channel(artifact, "handle")
                if "error" in answer:
                    raise RuntimeError(f"channel send failed under {name}: {answer}")
                figs.add(f"channel.{name}", time.perf_counter() - t0, note="one send of a pickled handle to a child (SpawnerChannel)")
    finally:
        for channel in channels.values():
            channel.spawner.close()
    for e, f in zip(figs.data["channel.exec"]["values"], figs.data["channel.fork"]["values"]):
        figs.add("ratio.channel_fork_over_exec", f / e, unit="x", note="per round, same load")


def lifecycle_rates(figs: Figures, examples: int, cross_examples: int, steps: int, base: str) -> None:
    from hypothesis import Phase, settings
    from hypothesis.stateful import run_state_machine_as_test

    from pytest_trtcache.lifecycle import machine_for
    from pytest_trtcache.spawn.channel import SpawnerChannel
    from pytest_trtcache.spawn.spawners import ForkSpawner

    spawner = ForkSpawner(["reference"], os.path.join(base, "lifecycle-server.log"), print)
    counting = _Counting(SpawnerChannel(spawner, "reference", "python", os.path.join(base, "lifecycle-channel")))
    try:
        for name, count, kwargs in (("in_process", examples, {}), ("cross_process", cross_examples, {"channel": counting})):
            machine = machine_for("reference", **kwargs)
            made = [0]

            def factory(machine: type = machine) -> Any:
                made[0] += 1
                return machine()

            counting.sends = 0
            start = time.perf_counter()
            # derandomize: a fixed seed, so every run generates the same examples
            run_state_machine_as_test(factory, settings=settings(
                max_examples=count, stateful_step_count=steps, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
            ))
            secs = time.perf_counter() - start
            note = f"{made[0]} examples of <= {steps} steps, derandomized"
            if name == "cross_process":
                note += f"; {counting.sends} sends to a child (SpawnerChannel, one forked child each)"
            figs.add(f"lifecycle.{name}_examples_per_s", made[0] / secs, unit="1/s", note=note)
            figs.data[f"lifecycle.{name}_examples_per_s"]["examples"] = made[0]
    finally:
        spawner.close()


# -- output -----------------------------------------------------------------------------
def table(summary: dict[str, dict[str, Any]]) -> str:
    rows = ["| figure | n | median | p90 | unit | what |", "|---|---|---|---|---|---|"]
    for name, fig in summary.items():
        scale, unit = (1000.0, "ms") if fig["unit"] == "s" and fig["median"] < 10 else (1.0, fig["unit"])
        rows.append(f"| {name} | {fig['n']} | {fig['median'] * scale:.{3 if unit == 'x' else 1}f} | {fig['p90'] * scale:.{3 if unit == 'x' else 1}f} | {unit} | {fig['note']} |")
    return "\n".join(rows)


def goals(summary: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    if "pair.exec" in summary:
        ratio = summary["pair.fork"]["median"] / summary["pair.exec"]["median"]
        out["fork pair / exec pair"] = {"goal": GOALS["fork pair / exec pair"], "measured": round(ratio, 3), "met": ratio <= 1 / 6}
    if "suite.xdist_2" in summary:
        s = summary["suite.xdist_2"]["median"]
        out["suite -n 2"] = {"goal": GOALS["suite -n 2"], "measured": round(s, 1), "met": s < 30}
    for name, key, bound in (("failing / passing vendor, -n 2", "ratio.failing_over_passing", 2.0), ("gapped / failing vendor, -n 2", "ratio.gapped_over_failing", 1.0)):
        if key in summary:
            r = summary[key]["median"]
            out[name] = {"goal": GOALS[name], "measured": round(r, 2), "met": r <= bound}
    if "pytest.plugin_load_delta" in summary:
        d = summary["pytest.plugin_load_delta"]["median"]
        out["plugin load"] = {"goal": GOALS["plugin load"], "measured": round(d * 1000, 1), "met": d < 0.050}
    return out


def _samples(value: str) -> int:
    """At least one sample: a figure of none has no median."""
    from pytest_trtcache.plugin.options import positive_int

    return positive_int(value)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="trtcache bench", description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--samples", type=_samples, default=10, help="samples per figure (default 10)")
    parser.add_argument("--examples", type=int, default=30, help="in-process lifecycle examples (default 30)")
    parser.add_argument("--cross-examples", type=int, default=4, help="cross-process lifecycle examples (default 4)")
    parser.add_argument("--steps", type=int, default=10, help="state-machine steps per example (default 10)")
    parser.add_argument("--differential-examples", type=_samples, help="differential sequences (default: the conformance run's under trtcache-ci)")
    parser.add_argument("--suite", action="store_true", help="also time the conformance suite, sequential and -n 2, and against the benchmark vendor (minutes)")
    parser.add_argument("--suite-only", action="store_true", help="time the suites alone (no child, pair, plugin, lifecycle or differential figures)")
    parser.add_argument("--json", help="write every figure with its values and sample size here")
    parser.add_argument("--plot", help="PNG of child and pair cost by spawner (needs matplotlib)")
    args = parser.parse_args(argv)
    figs = Figures()
    load_before = os.getloadavg()
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="trtcache-bench-") as base:
        sections: list[tuple[str, Callable[[], None]]] = [] if args.suite_only else [
            ("children and pairs", lambda: spawn_costs(figs, args.samples, base)),
            ("finalization split", lambda: finalization_split(figs, args.samples)),
            ("plugin load", lambda: import_costs(figs, args.samples, base)),
            ("channel", lambda: channel_costs(figs, args.samples, base)),
            ("lifecycle", lambda: lifecycle_rates(figs, args.examples, args.cross_examples, args.steps, base)),
            ("differential", lambda: bench_differential.differential_costs(figs, args.samples, args.differential_examples, base)),
        ]
        if args.suite or args.suite_only:
            sections += [("suite", lambda: suite_costs(figs, base)), ("vendor suites", lambda: vendor_costs(figs, base))]
        for title, run in sections:
            print(f"trtcache bench: {title} ...", file=sys.stderr, flush=True)
            run()
    summary = figs.summary()
    report = {
        "command": "trtcache bench " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": {"cpus": os.cpu_count(), "loadavg_before": load_before, "loadavg_after": os.getloadavg(), "python": sys.version.split()[0]},
        "wall_s": time.time() - started,
        "figures": summary,
        "goals": goals(summary),
    }
    print(table(summary))
    for name, g in report["goals"].items():
        print(f"goal {name}: {g['goal']}, measured {g['measured']} -> {'met' if g['met'] else 'MISSED'}")
    print(f"load average before {load_before[0]:.1f}, after {report['machine']['loadavg_after'][0]:.1f} on {os.cpu_count()} cpus")
    if args.plot:
        why = bench_plot.plot(summary, args.plot)
        if why:
            print(f"trtcache bench: no plot: {why}", file=sys.stderr)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
