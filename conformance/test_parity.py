"""H7: the python and cpp handles of a target observe the same, step by step."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from pytest_trtcache.contract.parity import compare_handles, op_sequences
from pytest_trtcache.plugin.profiles import settings_of
from pytest_trtcache.reference.kernels import encode, kernel_entry
from pytest_trtcache.targets import NotObservable


def _both_runtimes(target):
    runtimes = []
    for name in ("python", "cpp"):
        if name not in target.runtimes:
            raise NotObservable(f"target {target.spec} has no {name} runtime: H7 compares python with cpp")
        runtime = target.runtimes[name]
        reason = runtime.unavailable_reason()
        if reason:
            pytest.skip(f"runtime {name} unavailable: {reason}")
        runtimes.append(runtime)
    return runtimes


BLOB = encode(dict([kernel_entry("conv", (1, 3))]))


@pytest.mark.clause("H7")
def test_both_runtimes_observe_the_same_through_the_pending_window(trtcache_target):
    python, cpp = _both_runtimes(trtcache_target)
    compare_handles(python, cpp, [
        ("serialize",), ("deserialize", b""), ("deserialize", BLOB), ("serialize",), ("pickle",),
        ("deepcopy",), ("materialize",), ("add_entry", b"gemm", b"\x01\x02"), ("serialize",), ("pickle",),
    ])


@pytest.mark.clause("H7")
@pytest.mark.parametrize("blob", [BLOB[:-1], b"not a runtime cache blob"], ids=["truncated", "foreign"])
def test_both_runtimes_treat_an_unreadable_pending_blob_alike(trtcache_target, blob):
    # S6 lets a target answer with a clear error or a cold start; H7 asks both runtimes to
    # give the same answer (the random sequences reach this only now and then)
    python, cpp = _both_runtimes(trtcache_target)
    compare_handles(python, cpp, [("deserialize", blob), ("materialize",), ("serialize",), ("add_entry", b"gemm", b"\x01\x02"), ("serialize",)])


@pytest.mark.clause("H7")
def test_both_runtimes_observe_the_same_for_random_sequences(trtcache_target, pytestconfig):
    python, cpp = _both_runtimes(trtcache_target)

    # Budget from the chosen trtcache profile (--trtcache-profile / --trtcache-examples).
    @settings(settings_of(pytestconfig), deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(op_sequences)
    def run(ops):
        compare_handles(python, cpp, ops)

    run()
