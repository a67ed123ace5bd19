"""``trtcache bench``'s suite figures (``--suite``, ``--suite-only``): the conformance suite
against ``reference``, sequential and with ``-n 2``, and with ``-n 2`` against the
benchmark vendor (:mod:`pytest_trtcache.commands.bench_vendor`) passing, failing and
with the hostile-world machine a known gap. ``figs`` is ``bench.Figures``."""

from __future__ import annotations

import os
import time
from typing import Any

from pytest_trtcache.launch.suite import IMPORT_ROOT as ROOT, SuiteRunSpec, launch

VENDOR = "module:pytest_trtcache.commands.bench_vendor"
#: the known-gaps file of the gapped run: the hostile-world machine, by node id
HOSTILE_GAP = "*test_lifecycle.py::*hostile*  # the benchmark's gapped run\n"


# -- the conformance suite --------------------------------------------------------------
def suite_costs(figs: Any, base: str) -> None:
    for name, extra in (("sequential", []), ("xdist_2", ["-n", "2"])):
        start = time.perf_counter()
        done = launch(SuiteRunSpec(extra=["-q", "-rfE", *extra], cwd=ROOT), base, capture=True)
        t = time.perf_counter() - start
        lines = done.output.strip().splitlines()
        tail = next((line for line in reversed(lines) if " in " in line and ("passed" in line or "failed" in line)), lines[-1] if lines else "")
        figs.add(f"suite.{name}", t, note=f"pytest conformance {' '.join(extra)} against reference: {tail}")
        # a timing is only comparable with the same outcome: keep which tests failed
        figs.data[f"suite.{name}"]["failed"] = [line for line in lines if line.startswith(("FAILED", "ERROR"))]


def _suite_run(spec: SuiteRunSpec, base: str) -> tuple[float, str, list[str]]:
    """One child suite: wall seconds, pytest's summary line, the tests that failed."""
    start = time.perf_counter()
    done = launch(spec, base, capture=True)
    t = time.perf_counter() - start
    lines = done.output.strip().splitlines()
    tail = next((line for line in reversed(lines) if " in " in line and ("passed" in line or "failed" in line)), lines[-1] if lines else "")
    return t, tail.strip("= "), [line for line in lines if line.startswith(("FAILED", "ERROR", "XFAIL"))]


def vendor_costs(figs: Any, base: str) -> None:
    """The suite with ``-n 2`` against the benchmark vendor: fixed, with its three bugs,
    and with those bugs and the hostile-world machine a known gap (one run each, in that
    order, so the three see about the same load)."""
    gaps = os.path.join(base, "hostile.gaps")
    with open(gaps, "w", encoding="utf-8") as f:
        f.write(HOSTILE_GAP)
    runs = (
        ("passing", "fixed", None, "the vendor fixed"),
        ("failing", "buggy", None, "the vendor with a bug in pickling, the at-exit hook and saving"),
        ("gapped", "buggy", gaps, "the same, the hostile-world machine a known gap"),
    )
    for name, module, known_gaps, what in runs:
        spec = SuiteRunSpec(target=f"{VENDOR}.{module}", known_gaps=known_gaps, extra=["-q", "-rfEx", "-n", "2"], cwd=ROOT)
        t, tail, failed = _suite_run(spec, base)
        figs.add(f"suite.vendor_{name}", t, note=f"pytest conformance -n 2, {what}: {tail}")
        figs.data[f"suite.vendor_{name}"]["failed"] = failed
    passing, failing, gapped = (figs.data[f"suite.vendor_{n}"]["values"][-1] for n in ("passing", "failing", "gapped"))
    figs.add("ratio.failing_over_passing", failing / passing, unit="x", note="suite.vendor_failing / suite.vendor_passing")
    figs.add("ratio.gapped_over_failing", gapped / failing, unit="x", note="suite.vendor_gapped / suite.vendor_failing")
