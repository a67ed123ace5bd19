"""The differential oracle (``pytest_trtcache/differential/``) at length: the reference
against itself, which must show no difference at all (a difference is a false failure
of the oracle: a harness bug, or a freedom ``contract/spec.py`` does not list yet).

Runs ``--examples`` sequences per runtime (default 5000, each of up to ``--steps``
steps), split over ``--jobs`` processes with a seed each. With ``--mutants`` it also runs
every zoo mutant of the E family against the reference, comparing only the mutant's own
clause, and says whether (and after how long) the oracle found it on that clause. Exit
0 when the reference shows no difference (and, with ``--mutants``, every such mutant is
found on its clause), 1 otherwise.

    python ci/differential_sweep.py --jobs 14                 # the 16-core box: 2 x 5000 examples
    python ci/differential_sweep.py --examples 200 --jobs 2   # a quick look here
    python ci/differential_sweep.py --examples 0 --mutants    # the kill check alone (about 70 s here)
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(job: tuple[str, str, int, int, int, tuple[str, ...]]) -> tuple[str, str, int, float, dict[str, str]]:
    """(target, runtime, examples, steps, seed, skip) -> (target, runtime, examples, seconds, findings).
    ``runtime`` is the runtime of both sides, or ``TARGET>ORACLE`` (``cpp>python``: the
    reference's C++ runtime judged against its python runtime)."""
    from hypothesis import HealthCheck, seed, settings

    from pytest_trtcache.differential.machine import run_differential
    from pytest_trtcache.targets import resolve

    target, runtime, examples, steps, job_seed, skip = job
    profile = settings(max_examples=examples, stateful_step_count=steps, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    mine, _, theirs = runtime.partition(">")
    oracle = resolve("reference", role="oracle").runtime(theirs or mine)
    start = time.monotonic()
    try:
        found = seed(job_seed)(lambda: run_differential(resolve(target).runtime(mine), oracle, profile, skip=skip, across_runtimes=bool(theirs)))()
    except Exception:  # not a finding (a flaky replay, a harness error): this job's failure, the others still report
        import traceback

        return target, runtime, examples, time.monotonic() - start, {"(no clause: the run raised)": traceback.format_exc()}
    notes = {c: f"{v}\n" + "\n".join(getattr(v, "__notes__", [])) for c, v in found.items()}
    return target, runtime, examples, time.monotonic() - start, notes


def main(argv: list[str] | None = None) -> int:
    from pytest_trtcache.contract import spec
    from pytest_trtcache.mutants import MUTANTS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=5000, help="sequences per runtime of the reference against itself (default 5000)")
    parser.add_argument("--steps", type=int, default=20, help="steps per sequence at most (default 20)")
    parser.add_argument("--jobs", type=int, default=2, help="processes (default 2; 14 on a 16-core box)")
    parser.add_argument("--runtimes", default="python,cpp,cpp>python",
                        help="comma-separated; R runs the reference's runtime R against itself, T>O the reference's runtime T against its runtime O (default python,cpp,cpp>python)")
    parser.add_argument("--mutants", action="store_true", help="also run each E-family zoo mutant, comparing its own clause")
    parser.add_argument("--mutant-examples", type=int, default=50, help="examples per mutant run (default 50, a trtcache-dev run's reach)")
    ns = parser.parse_args(argv)
    runtimes = [r for r in ns.runtimes.split(",") if r]
    e_family = {c.id for c in spec.CLAUSES if c.family == "E"}

    jobs = []
    for runtime in runtimes:
        share, rest = divmod(ns.examples, ns.jobs)
        jobs += [("reference", runtime, share + (i < rest), ns.steps, 1000 + i, ()) for i in range(ns.jobs) if share + (i < rest)]
    mutant_jobs = []
    if ns.mutants:
        for m in MUTANTS.values():
            if set(m.clauses) <= e_family:
                mutant_jobs.append((f"mutant:{m.name}", m.runtimes[0], ns.mutant_examples, 15, 0, tuple(sorted(e_family - set(m.clauses)))))

    start = time.monotonic()
    with multiprocessing.get_context("spawn").Pool(ns.jobs) as pool:
        results = pool.map(_run, jobs + mutant_jobs, chunksize=1)
    failed = False
    per_runtime: dict[str, list[float]] = {}
    differs: set[str] = set()
    for target, runtime, examples, seconds, found in results[: len(jobs)]:
        per_runtime.setdefault(runtime, []).append(seconds)
        for clause, text in found.items():
            failed = True
            differs.add(runtime)
            print(f"FALSE FAILURE: the reference differs from itself on {clause} ({runtime}):\n{text}\n")
    for runtime in runtimes:
        n = sum(j[2] for j in jobs if j[1] == runtime)
        if not n:
            continue
        print(f"reference vs reference, {runtime.replace('>', ' against ')}: {n} examples, {'A DIFFERENCE' if runtime in differs else 'no difference'}; "
              f"{sum(per_runtime.get(runtime, [])):.0f} s summed over {len(per_runtime.get(runtime, []))} job(s)")
    for (target, runtime, examples, seconds, found), job in zip(results[len(jobs):], mutant_jobs):
        mutant = MUTANTS[target.split(":", 1)[1]]
        hit = [c for c in mutant.clauses if c in found]
        failed |= len(hit) < len(mutant.clauses)
        verdict = f"found on {', '.join(hit)}" if hit else "NOT FOUND on its clause"
        print(f"{mutant.name} ({runtime}, {'/'.join(mutant.clauses)}): {verdict} in {seconds:.1f} s")
    print(f"wall time {time.monotonic() - start:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
