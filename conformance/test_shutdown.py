"""A1 and A2 at a real interpreter shutdown: an engine-implicit cache that survives to
exit, in a child of each runtime. The file is checked after the child has exited."""

from __future__ import annotations

import pytest

from pytest_trtcache.reference.kernels import encode
from pytest_trtcache.spawn.pairs import RuntimePair, describe_exceptions, expected_entries

BLOB = encode(expected_entries())


def _saver(runtime, trtcache_pair_runs, check):
    run = trtcache_pair_runs.get(RuntimePair(runtime, runtime), "autosave-file")
    check.child_stderr = run.save.stderr
    run.raise_if_not_observable()
    return run.save, run.artifact


@pytest.mark.clause("A1")
def test_an_engine_cache_alive_at_exit_is_saved_by_the_at_exit_hook(runtime, trtcache_pair_runs, check):
    obs, path = _saver(runtime, trtcache_pair_runs, check)
    with check.step(f"{obs.step}, then interpreter shutdown"):
        check.equal("exceptions in the child", describe_exceptions(obs), [])
        check.true(f"the autosave file {path} to exist after the child exited", obs.file(path) is not None, [f.path for f in obs.files])
        with open(path, "rb") as f:
            check.equal("autosave file contents", f.read(), BLOB)


@pytest.mark.clause("A2")
def test_nothing_leaks_at_shutdown(runtime, trtcache_pair_runs, check):
    obs, _ = _saver(runtime, trtcache_pair_runs, check)
    with check.step(f"{obs.step}, then interpreter shutdown"):
        check.equal("sys.unraisablehook calls", [f"{u['exc_type']}: {u['exc_message']}" for u in obs.unraisable], [])
        check.equal("'Exception ignored in' blocks in the child's stderr", obs.stderr_leaks, [])
