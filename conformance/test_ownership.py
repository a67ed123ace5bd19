"""H10: what a caller hands in stays the caller's. After ``deserialize()``,
``load_from_stream()`` or ``load()`` returns, the caller may overwrite or free the
tensor, its buffer, the stream or the file (reuse is the point of a buffer); the cache
must hold what it was given, not a view of the caller's memory.

H11: what a caller gets back is the caller's. ``serialize()`` hands out a tensor the caller
may write into (upstream's python handle copies through ``bytearray``, its cpp handle
into a fresh ``at::empty``); the cache must not be a view of it.
"""

from __future__ import annotations

import gc
import io

import pytest
import torch

from pytest_trtcache.contract.size_checks import holds
from pytest_trtcache.contract.sizes import sized
from pytest_trtcache.targets.base import bytes_of

SIZE = (1 << 16) + 1  # past a 16-bit length and a typical copy chunk
JUNK = 0xA5


def _overwrite_tensor(tensor: torch.Tensor, buffer: bytearray) -> None:
    tensor.fill_(JUNK)


def _overwrite_buffer(tensor: torch.Tensor, buffer: bytearray) -> None:
    buffer[:] = bytes([JUNK]) * len(buffer)  # torch.frombuffer shares the bytearray's memory


REUSES = {"the tensor overwritten": _overwrite_tensor, "the bytearray under it overwritten": _overwrite_buffer}


@pytest.mark.clause("H10")
@pytest.mark.parametrize("state", ["pending", "materialized"])
@pytest.mark.parametrize("reuse", list(REUSES))
def test_deserialize_keeps_no_view_of_the_callers_tensor(runtime, check, state, reuse):
    payload = sized(SIZE)
    handle = runtime.new_handle()
    if state == "materialized":
        runtime.materialize(handle)
    buffer = bytearray(payload)
    tensor = torch.frombuffer(buffer, dtype=torch.uint8)
    with check.step(f"deserialize() into a {state} handle, then {reuse}"):
        handle.deserialize(tensor)
        REUSES[reuse](tensor, buffer)
        holds(runtime, check, handle, payload, f"{reuse}")


@pytest.mark.clause("H10")
def test_deserialize_keeps_nothing_of_a_freed_tensor(runtime, check):
    payload = sized(SIZE)
    handle = runtime.new_handle()
    tensor = torch.frombuffer(bytearray(payload), dtype=torch.uint8)
    with check.step("deserialize() into a pending handle, then the tensor freed and its memory reused"):
        handle.deserialize(tensor)
        del tensor
        gc.collect()
        reused = [bytearray([JUNK]) * SIZE for _ in range(8)]  # what the allocator hands out next
        holds(runtime, check, handle, payload, "the tensor was freed")
        del reused


@pytest.mark.clause("H10")
def test_load_from_stream_keeps_no_view_of_the_callers_stream(runtime, check):
    payload = sized(SIZE)
    rc = runtime.api.RuntimeCache("")
    stream = io.BytesIO(payload)
    with check.step("load_from_stream(), then the stream's buffer overwritten"):
        rc.load_from_stream(stream)
        stream.getbuffer()[:] = bytes([JUNK]) * len(payload)
        holds(runtime, check, runtime.handle_of(rc), payload, "the stream was overwritten")


@pytest.mark.clause("H10")
def test_load_keeps_no_view_of_the_file(runtime, check, tmp_path):
    payload = sized(SIZE)
    path = tmp_path / "cache.bin"
    path.write_bytes(payload)
    rc = runtime.api.RuntimeCache(str(path))
    with check.step("load(), then the file overwritten in place"):
        rc.load()
        with open(path, "r+b") as f:  # in place, as a writer would through a mapping
            f.write(bytes([JUNK]) * len(payload))
        holds(runtime, check, runtime.handle_of(rc), payload, "the file was overwritten")


# -- H11: what a caller gets back is the caller's ------------------------------------------
@pytest.mark.clause("H11")
@pytest.mark.parametrize("state", ["pending", "materialized"])
def test_serialize_returns_bytes_the_caller_owns(runtime, check, state):
    payload = sized(SIZE)
    handle = runtime.handle_of(runtime.api.RuntimeCache(""))  # the facade's: no handle class needed
    handle.deserialize(torch.frombuffer(bytearray(payload), dtype=torch.uint8))
    if state == "materialized":
        runtime.materialize(handle)
    first = handle.serialize()
    before = bytes_of(first)
    with check.step(f"serialize() of a {state} handle, then the returned tensor overwritten"):
        first.fill_(JUNK)
        second = handle.serialize()
        check.equal("serialize() after the earlier result was overwritten", bytes_of(second), before)
        second.fill_(JUNK ^ 0xFF)
        holds(runtime, check, handle, payload, "two serialize() results overwritten")
