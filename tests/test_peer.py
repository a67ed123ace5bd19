"""Peer mode judges what crossing implementations promises: a pickle brings the saver's
classes, driven by the saver's implementation in the loader child; files and streams
carry bytes. Two fixed implementations pass every cross-target pair."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
REPO = Path(__file__).resolve().parent.parent


@pytest.mark.network
def test_the_reference_and_torch_tensorrt_2_14_pass_every_cross_target_pair(pytester: pytest.Pytester) -> None:
    pytester._monkeypatch.setenv("PYTHONPATH", str(REPO))
    result = pytester.runpytest_subprocess(
        "-p", "trtcache", str(REPO / "conformance" / "test_cross_runtime.py"), "-p", "no:cacheprovider", "-n", "2",
        "--trtcache-peer=wheel:torch-tensorrt==2.14.0", "-k", "peer", "--trtcache-allow-partial",
    )
    outcomes = result.parseoutcomes()
    assert result.ret == 0 and outcomes.get("passed", 0) >= 40 and "failed" not in outcomes, result.stdout.str()[-4000:]
    assert "test_a_facade_pickled_in_one_runtime_loads_in_the_other[peer" not in result.stdout.str()  # F3: same-target pairs only
