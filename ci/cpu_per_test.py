"""CPU seconds per test, its child processes included: what the project's tests cost on a
machine whose cores they keep busy (a test's wall time under ``-n 2`` depends on what the
other worker runs meanwhile; its CPU time much less).

As a pytest plugin, each process (each xdist worker) appends one JSON line per test to
``$CPU_PER_TEST_LOG``: the CPU time of the process itself and of the children it reaped
during the test (``RUSAGE_CHILDREN``: a child pytest with its own children, a fork server
and its steps, as long as each waits for its own), and the wall time::

    CPU_PER_TEST_LOG=/tmp/cpu.jsonl PYTHONPATH=ci python -m pytest -n 2 -p cpu_per_test

As a script, it sums a log by file and names the costliest tests::

    python ci/cpu_per_test.py /tmp/cpu.jsonl [--top 25]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import time
from typing import Any, Iterator

import pytest


def _cpu() -> tuple[float, float]:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: Any, nextitem: Any) -> Iterator[None]:
    log = os.environ.get("CPU_PER_TEST_LOG")
    (me0, children0), started = _cpu(), time.time()
    try:
        return (yield)
    finally:
        if log:
            me1, children1 = _cpu()
            record = {"id": item.nodeid, "self": me1 - me0, "children": children1 - children0, "wall": time.time() - started,
                      "worker": os.environ.get("PYTEST_XDIST_WORKER", "")}
            with open(log, "a") as f:
                f.write(json.dumps(record) + "\n")


def summary(path: str, top: int) -> str:
    with open(path) as f:
        records = [json.loads(line) for line in f if line.strip()]
    cpu = lambda r: r["self"] + r["children"]  # noqa: E731
    by_file: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0])
    for r in records:
        file = by_file[r["id"].split("::")[0]]
        file[0] += cpu(r)
        file[1] += r["wall"]
    total = sum(cpu(r) for r in records)
    lines = [f"{len(records)} tests, {total:.0f} CPU-s (their own processes {sum(r['self'] for r in records):.0f}), "
             f"{sum(r['wall'] for r in records):.0f} worker-s", "", "| file | CPU-s | worker-s |", "|---|---|---|"]
    lines += [f"| `{f}` | {c:.0f} | {w:.0f} |" for f, (c, w) in sorted(by_file.items(), key=lambda kv: -kv[1][0])]
    lines += ["", f"the {top} costliest tests (CPU-s, worker-s):"]
    lines += [f"  {cpu(r):6.1f} {r['wall']:6.1f}  {r['id']}" for r in sorted(records, key=cpu, reverse=True)[:top]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("log", help="the JSON-lines log a run wrote")
    parser.add_argument("--top", type=int, default=25, help="how many of the costliest tests to name")
    args = parser.parse_args()
    print(summary(args.log, args.top))


if __name__ == "__main__":
    main()
