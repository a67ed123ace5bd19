"""C1, C2, W2, F3 across runtime pairs: a saver child and a loader child per channel.

Across targets (``--trtcache-peer``) a pickle brings the saver's classes with it: the
loader child drives them with the saver's implementation (loaded beside its own), so
the pair is judged on what crossing promises, the bytes (C1, C2, W2); a cache file or a
stream carries bytes only, judged by the loader's own runtime. F3, a promise between one
target's runtimes, runs on same-target pairs only.

Expected values come from the reference model (``kernels.encode`` of the entries the
saver's engines put in), never from re-running the target. Both children of a
(pair, channel) are spawned once per session and judged by every clause here.
"""

from __future__ import annotations

import hashlib
import os

import pytest

from pytest_trtcache.reference.kernels import encode
from pytest_trtcache.spawn.pairs import describe_exceptions, expected_entries
from pytest_trtcache.spawn.protocol import CHANNELS

BLOB = encode(expected_entries())
BYTES_CHANNELS = tuple(c for c in CHANNELS if c != "wrapper-torch-save")


def _run(trtcache_pair_runs, runtime_pair, channel, check):
    run = trtcache_pair_runs.get(runtime_pair, channel)
    check.child_stderr = run.stderr()
    run.raise_if_not_observable()
    return run


def _no_exceptions(check, run) -> None:
    for side, obs in (("saver", run.save), ("loader", run.load)):
        with check.step(f"{side}: {obs.step}"):
            check.equal("exceptions in the child", describe_exceptions(obs), [])
            check.equal("child exit status", obs.returncode, 0)


@pytest.mark.clause("C1")
@pytest.mark.parametrize("channel", BYTES_CHANNELS)
def test_the_loader_gets_exactly_the_bytes_the_saver_put_in(runtime_pair, channel, trtcache_pair_runs, check):
    run = _run(trtcache_pair_runs, runtime_pair, channel, check)
    _no_exceptions(check, run)
    if channel in ("cache-file", "autosave-file"):
        with check.step(f"saver: {run.save.step} (file checked after the child exited)"):
            record = run.save.file(run.artifact)
            check.true(f"the cache file {run.artifact} to exist", record is not None, [f.path for f in run.save.files])
            check.equal("cache file sha256", record.sha256, hashlib.sha256(BLOB).hexdigest())
    if channel == "stream":
        with check.step(f"saver: {run.save.step}"):
            check.equal("save_to_stream() count", run.save.facts.get("written"), len(BLOB))
    with check.step(f"loader: {run.load.step}"):
        if channel == "stream":
            check.equal("load_from_stream() count", run.load.facts.get("read"), len(BLOB))
        check.equal("has_cache() right after loading", run.load.state.get("has_cache"), False)
        pending = run.load.state.get("pending_bytes")
        if pending is not None:  # white-box runtimes: the bytes wait, pending
            check.equal("pending bytes right after loading", bytes.fromhex(pending), BLOB)
        check.true("an observation of serialize()", run.load.serialized is not None)
        check.equal("serialize() after materialization", run.load.serialized.data, BLOB)
        if channel in ("handle-pickle", "facade-pickle"):
            check.equal("path carried by the pickle", run.load.facts.get("path"), os.path.join(os.path.dirname(run.artifact), "cache.bin"))


@pytest.mark.clause("C1")
def test_the_wrapper_loads_with_default_settings_in_every_pair(runtime_pair, trtcache_pair_runs, check):
    run = _run(trtcache_pair_runs, runtime_pair, "wrapper-torch-save", check)
    _no_exceptions(check, run)
    with check.step(f"loader: {run.load.step}"):
        check.equal("runtime settings are the defaults with no cache", run.load.facts.get("settings_are_default"), True)


@pytest.mark.clause("C2")
@pytest.mark.parametrize("channel", CHANNELS)
def test_neither_side_leaks_an_unraisable_exception(runtime_pair, channel, trtcache_pair_runs, check):
    run = _run(trtcache_pair_runs, runtime_pair, channel, check)
    for side, obs in (("saver", run.save), ("loader", run.load)):
        with check.step(f"{side}: {obs.step}, shutdown included"):
            check.equal("sys.unraisablehook calls", [f"{u['exc_type']}: {u['exc_message']}" for u in obs.unraisable], [])
            check.equal("'Exception ignored in' blocks in stderr", obs.stderr_leaks, [])


@pytest.mark.clause("W2")
def test_a_wrapper_saved_in_one_runtime_loads_with_defaults_in_the_other(runtime_pair, trtcache_pair_runs, check):
    run = _run(trtcache_pair_runs, runtime_pair, "wrapper-torch-save", check)
    _no_exceptions(check, run)
    with check.step(f"loader: {run.load.step} (torch.load: default settings, no cache)"):
        check.equal("runtime settings equal RuntimeSettings(runtime_cache=None)", run.load.facts.get("settings_are_default"), True)
        check.equal("_implicit_cache_handle", run.load.facts.get("implicit_cache_handle"), "None")


@pytest.mark.clause("F3")
@pytest.mark.within_target  # across targets a pickle brings the saver's own classes: C1 judges those pairs
def test_a_facade_pickled_in_one_runtime_loads_in_the_other(runtime_pair, trtcache_pair_runs, check):
    run = _run(trtcache_pair_runs, runtime_pair, "facade-pickle", check)
    _no_exceptions(check, run)
    with check.step(f"loader: {run.load.step}"):
        check.equal("runtime of the loaded facade's handle", run.load.facts.get("handle_runtime"), runtime_pair.loader.name)
        check.equal("serialize() after materialization", run.load.serialized.data if run.load.serialized else None, BLOB)
