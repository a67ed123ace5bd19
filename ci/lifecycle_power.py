"""How many examples the lifecycle state machine needs to find each mutant of the zoo.

For every mutant in ``pytest_trtcache/mutants/catalog.py``, on the runtime its bug lives
in (a cpp mutant's C++ variant on the cpp runtime, every other one on the python
runtime): the number of examples (machine runs) generated before the first failing
one, median / min / max over 10 seeds with the trtcache-ci step count (generate phase
only, at most ``--cap`` examples), and whether a run under the trtcache-ci profile
itself (deterministic, with shrinking) finds it, with the clause its failure message
names. Exits non-zero if a mutant escapes the trtcache-ci budget. Also runs the
reference (both runtimes), which must pass. ``--jobs`` runs mutants in parallel
processes (one machine per process; on a 16-core box, ``--jobs 14``).

    python ci/lifecycle_power.py [--seeds 10] [--cap 1000] [--jobs 1] [mutant ...]
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from hypothesis import Phase, seed, settings  # noqa: E402
from hypothesis.stateful import run_state_machine_as_test  # noqa: E402

from pytest_trtcache.contract.verdict import ClauseViolation  # noqa: E402
from pytest_trtcache.lifecycle import MachineBase, machine_for, run_machine  # noqa: E402
from pytest_trtcache.plugin import profiles  # noqa: E402
from pytest_trtcache.mutants import MUTANTS  # noqa: E402


def examples_to_find(machine: type[MachineBase], seed_value: int, cap: int, steps: int) -> int | None:
    """Examples generated up to and including the first failing one; None if not found."""
    count = [0]
    failed_at: list[int] = []

    @seed(seed_value)
    def factory() -> MachineBase:
        count[0] += 1
        return machine()

    try:
        run_state_machine_as_test(
            factory,
            settings=settings(
                max_examples=cap, stateful_step_count=steps, phases=[Phase.generate], database=None,
                deadline=None, report_multiple_bugs=False, derandomize=False,
            ),
        )
    except BaseException:  # noqa: BLE001 - any failure is the mutant found
        failed_at.append(count[0] - 1)  # the last call replays the failing example
    return failed_at[0] if failed_at else None


def ci_run(machine: type[MachineBase]) -> tuple[bool, str, float]:
    profiles.register()
    start = time.perf_counter()
    # The profile's budget and derandomized search, without shrinking: finding is what
    # counts here (a shrink can take minutes), and the unshrunk failure names its clause.
    ci = settings(settings.get_profile(profiles.CI), phases=[Phase.explicit, Phase.reuse, Phase.generate])
    try:
        run_machine(machine, ci)  # from the machine's ci_seed, as the suite runs it
    except BaseException as exc:  # noqa: BLE001
        found = [exc, *getattr(exc, "exceptions", ())]  # a FlakyFailure wraps what it found
        clauses = {c for e in found if isinstance(e, ClauseViolation) for c in e.clauses[:1]}
        return True, ",".join(sorted(clauses)), time.perf_counter() - start
    return False, "", time.perf_counter() - start


def runtime_of(name: str) -> str:
    return "cpp" if MUTANTS[name].cpp_variant else "python"


def measure(job: tuple[str, int, int]) -> tuple[str, str, bool]:
    """One mutant: its table row and whether the trtcache-ci run found it."""
    name, seeds, cap = job
    _, ci_steps = profiles.BUDGETS[profiles.CI]
    machine = machine_for(f"mutant:{name}", runtime_of(name))
    found = [examples_to_find(machine, s, cap, ci_steps) for s in range(seeds)]
    hits = [n for n in found if n is not None]
    median = f"{statistics.median(hits):g} ({min(hits)}-{max(hits)})" if hits else "-"
    if len(hits) < len(found):
        median += f", missed by {len(found) - len(hits)} seed(s)"
    ok, clauses, secs = ci_run(machine)
    row = f"| {name} | {runtime_of(name)} | {','.join(MUTANTS[name].clauses)} | {median} | {'yes' if ok else 'NO'} | {clauses} | {secs:.1f} |"
    return name, row, ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--cap", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("names", nargs="*")
    args = parser.parse_args()
    ci_examples, ci_steps = profiles.BUDGETS[profiles.CI]
    names = args.names or sorted(MUTANTS)
    print(f"trtcache-ci budget: max_examples={ci_examples}, stateful_step_count={ci_steps}; {args.seeds} seeds, cap {args.cap}", flush=True)
    print("| mutant | runtime | clauses | examples to find: median (min-max) over seeds | found in trtcache-ci | clause(s) reported | ci run s |")
    print("|---|---|---|---|---|---|---|", flush=True)
    escaped = []
    jobs = [(name, args.seeds, args.cap) for name in names]
    # fork: children inherit the loaded modules; each machine runs in one process
    with contextlib.ExitStack() as stack:
        pool = stack.enter_context(multiprocessing.get_context("fork").Pool(args.jobs)) if args.jobs > 1 else None
        for name, row, ok in pool.imap_unordered(measure, jobs) if pool else map(measure, jobs):
            print(row, flush=True)
            if not ok:
                escaped.append(name)
    for runtime in ("python", "cpp"):
        ok, clauses, secs = ci_run(machine_for("reference", runtime))
        print(f"| (reference) | {runtime} | - | - | {'FAILED' if ok else 'passes'} | {clauses} | {secs:.1f} |")
        if ok:
            escaped.append(f"reference:{runtime} fails")
    if escaped:
        print("escaped the trtcache-ci budget: " + ", ".join(escaped))
    return 1 if escaped else 0


if __name__ == "__main__":
    raise SystemExit(main())
