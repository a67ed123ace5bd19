"""On a GPU machine (ci/gpu.sh): children next to CUDA, and CUDA in children.

Skipped where no CUDA device is present (CI's machines); ci/gpu.sh runs them on the
lent GPU machine.
"""

from __future__ import annotations

import os
import textwrap

import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device: these run on the GPU machine (ci/gpu.sh)")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CROSS = os.path.join(REPO, "conformance", "test_cross_runtime.py")


@pytest.fixture(autouse=True)
def _checkout_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """pytester subprocesses import this checkout and the test helpers (by module name)."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([REPO, os.path.join(REPO, "tests")]))


def test_a_test_process_that_initialized_cuda_still_gets_working_children(pytester: pytest.Pytester) -> None:
    """The fork server is its own process: CUDA in the pytest process does not reach it."""
    pytester.makepyfile(
        test_cuda_then_pairs=textwrap.dedent(
            """
            import torch

            def test_cuda_is_initialized_here_and_children_work(trtcache_target, spawn, tmp_path):
                torch.zeros(1, device="cuda")
                assert torch.cuda.is_initialized()
                rt = trtcache_target.runtime("python")
                artifact = str(tmp_path / "cache.bin")
                saved = spawn(rt, "save", "cache-file", artifact=artifact, workdir=str(tmp_path / "s"))
                loaded = spawn(rt, "load", "cache-file", artifact=artifact, workdir=str(tmp_path / "l"))
                assert not saved.exceptions and not loaded.exceptions, (saved.exceptions, loaded.exceptions)
                assert loaded.serialized is not None and loaded.serialized.length > 0
                print("SPAWNERS", saved.spawner, loaded.spawner)
            """
        )
    )
    result = pytester.runpytest_subprocess("-p", "trtcache", "--trtcache-spawn=auto", "-q", "-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["SPAWNERS fork fork"])


def test_a_server_with_cuda_initialized_falls_back_to_exec_once_and_children_use_cuda(pytester: pytest.Pytester) -> None:
    """A target whose import initializes CUDA: the server must not fork; exec children
    import it (so use CUDA themselves) and the pairs still pass."""
    result = pytester.runpytest_subprocess(
        "-p", "trtcache", "--trtcache-target=module:gpu_cuda_target", "--trtcache-spawn=auto",
        "-k", "not cpp", "-q", "-rA", "--trtcache-allow-partial", CROSS,
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes.get("passed", 0) > 0, result.stdout.str()
    notices = [line for line in result.stdout.lines if "exec" in line and "CUDA" in line]
    assert len(notices) == 1, result.stdout.str()
