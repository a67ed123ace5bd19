"""H1-H6: the handle's lifecycle, in each runtime of the target."""

from __future__ import annotations

import copy
import threading
import time

import pytest

from pytest_trtcache.reference.kernels import RuntimeConfig
from pytest_trtcache.targets.base import LOCK, PENDING_BYTES, bytes_of, tensor_of

from .blobs import BLOB_A, BLOB_AB, ENTRIES_A, ENTRIES_B

STATES = ("empty", "pending", "materialized")


def make_handle(runtime, state: str, path: str = "/tmp/trtcache-h.bin"):
    """A handle in ``state``; returns (handle, the bytes it should carry)."""
    handle = runtime.new_handle(path)
    if state == "pending":
        handle.deserialize(tensor_of(BLOB_A))
        return handle, BLOB_A
    if state == "materialized":
        runtime.materialize(handle)
        runtime.add_kernels(handle, ENTRIES_A)
        return handle, BLOB_A
    return handle, b""


def warm_bytes(runtime, handle) -> bytes:
    """Black-box read of what a handle holds: materialize it, then serialize."""
    runtime.materialize(handle)
    return bytes_of(handle.serialize())


@pytest.mark.clause("H1")
def test_pending_bytes_drain_into_the_live_cache(runtime, check):
    handle = runtime.new_handle()
    with check.step("deserialize before materialization"):
        handle.deserialize(tensor_of(BLOB_A))
        check.equal("has_cache() while pending", handle.has_cache(), False)
    with check.step("materialize"):
        check.equal("serialize() after materialization", warm_bytes(runtime, handle), BLOB_A)


@pytest.mark.clause("H1")
def test_pending_bytes_are_stashed_not_dropped(runtime, check):
    handle = runtime.new_handle()
    with check.step("deserialize before materialization"):
        handle.deserialize(tensor_of(BLOB_A))
        check.equal("pending bytes", bytes(runtime.observe(PENDING_BYTES, handle) or b""), BLOB_A)


@pytest.mark.clause("H1")
def test_a_pickle_in_the_pending_window_carries_the_bytes(runtime, check):
    handle = runtime.new_handle()
    handle.deserialize(tensor_of(BLOB_A))
    with check.step("pickle round trip while pending"), check.no_exception("pickle round trip"):
        loaded = runtime.pickle_roundtrip(handle)
    with check.step("materialize the loaded handle"):
        check.equal("serialize() of the loaded handle", warm_bytes(runtime, loaded), BLOB_A)


@pytest.mark.clause("H2")
def test_materialize_is_idempotent_and_keeps_entries(runtime, check):
    handle = runtime.new_handle()
    handle.deserialize(tensor_of(BLOB_A))
    config = RuntimeConfig()
    with check.step("first materialize"):
        runtime.materialize(handle, config)
        check.equal("has_cache()", handle.has_cache(), True)
        runtime.add_kernels(handle, ENTRIES_B)
    with check.step("second materialize"):
        runtime.materialize(handle, config)
        check.equal("serialize() after a second materialize", bytes_of(handle.serialize()), BLOB_AB)
    if runtime.materializes_with_config:
        check.equal("live caches created by the config", config.created, 1)


class SlowConfig(RuntimeConfig):
    """Widens the check-then-create window so an unlocked handle creates twice."""

    def create_runtime_cache(self):
        time.sleep(0.005)
        return super().create_runtime_cache()


@pytest.mark.clause("H3")
def test_concurrent_materialization_creates_once_and_loses_nothing(runtime, check):
    threads_n = 8
    for round_ in range(3):
        handle = runtime.new_handle()
        handle.deserialize(tensor_of(BLOB_A))
        config, barrier, errors = SlowConfig(), threading.Barrier(threads_n), []

        def worker():
            try:
                barrier.wait()
                runtime.materialize(handle, config)
            except Exception as exc:  # reported below, with the round
                errors.append(exc)

        with check.step(f"round {round_}: {threads_n} threads materialize one handle"):
            threads = [threading.Thread(target=worker) for _ in range(threads_n)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            check.equal("exceptions in threads", [repr(e) for e in errors], [])
            check.equal("serialize() after concurrent materialization", bytes_of(handle.serialize()), BLOB_A)
            if runtime.materializes_with_config:
                check.equal("live caches created", config.created, 1)


@pytest.mark.clause("H4")
@pytest.mark.parametrize("state", STATES)
def test_deserializing_an_empty_tensor_is_a_no_op(runtime, check, state):
    handle, carried = make_handle(runtime, state)
    with check.step(f"deserialize(empty) on a {state} handle"):
        handle.deserialize(tensor_of(b""))
        check.equal("has_cache()", handle.has_cache(), state == "materialized")
    if state == "pending" and PENDING_BYTES in runtime.observes:
        check.equal("pending bytes", bytes(runtime.observe(PENDING_BYTES, handle) or b""), carried)
    with check.step("materialize and serialize"):
        check.equal("serialize()", warm_bytes(runtime, handle), carried)


def _pickled_state(state) -> tuple:
    """``__getstate__`` as (path, bytes), whichever shape the runtime uses."""
    if isinstance(state, tuple) and len(state) == 2 and isinstance(state[1], str) and state[1].startswith("__torch__."):
        state = state[0]  # torchbind: ((def_pickle state), qualified class name)
    if isinstance(state, dict):
        return state.get("path"), bytes_of(state["bytes"]) if "bytes" in state else None
    if isinstance(state, (tuple, list)) and len(state) == 2:
        return state[0], bytes_of(state[1])
    return None, None


def _check_loaded(runtime, check, original, loaded, carried, path):
    check.equal("type of the loaded handle", type(loaded), type(original))
    check.equal("path of the loaded handle", loaded.path, path)
    check.equal("has_cache() of the loaded handle (must be pending)", loaded.has_cache(), False)
    if PENDING_BYTES in runtime.observes:
        check.equal("pending bytes of the loaded handle", bytes(runtime.observe(PENDING_BYTES, loaded) or b""), carried)
    if LOCK in runtime.observes:
        lock = runtime.observe(LOCK, loaded)
        check.true("a fresh lock on the loaded handle", lock is not runtime.observe(LOCK, original))
        check.true("the loaded handle's lock to be unlocked", lock.acquire(blocking=False))
        lock.release()
    with check.step(check.current_step + ", then materialize the loaded handle"):
        check.equal("serialize() of the loaded handle", warm_bytes(runtime, loaded), carried)


@pytest.mark.clause("H5")
@pytest.mark.parametrize("state", STATES)
def test_handle_pickles_as_path_and_bytes(runtime, check, state, tmp_path):
    path = str(tmp_path / "cache.bin")
    handle, carried = make_handle(runtime, state, path)
    with check.step(f"__getstate__ of a {state} handle"):
        check.equal("pickled state as (path, bytes)", _pickled_state(handle.__getstate__()), (path, carried))
    with check.step(f"pickle round trip of a {state} handle"):
        with check.no_exception("pickle round trip"):
            loaded = runtime.pickle_roundtrip(handle)
        _check_loaded(runtime, check, handle, loaded, carried, path)


@pytest.mark.clause("H6")
@pytest.mark.parametrize("state", STATES)
def test_deepcopy_behaves_like_a_pickle_round_trip(runtime, check, state, tmp_path):
    path = str(tmp_path / "cache.bin")
    handle, carried = make_handle(runtime, state, path)
    with check.step(f"copy.deepcopy of a {state} handle"):
        with check.no_exception("copy.deepcopy"):
            copied = copy.deepcopy(handle)
        _check_loaded(runtime, check, handle, copied, carried, path)
    with check.step("the original after deepcopy"):
        check.equal("has_cache() of the original", handle.has_cache(), state == "materialized")
        check.equal("serialize() of the original", warm_bytes(runtime, handle), carried)
