"""H8, H9: what ``deserialize`` accepts, what ``serialize`` returns while pending."""

from __future__ import annotations

import io

import pytest
import torch

from pytest_trtcache.targets.base import bytes_of, layout_of, tensor_of

from .blobs import BLOB_A
from .test_handle import warm_bytes


@pytest.mark.clause("H8")
@pytest.mark.parametrize("layout", ["non-contiguous", "sliced", "2-d", "transposed-2-d"])
def test_deserialize_accepts_any_uint8_layout(runtime, check, layout):
    tensor = layout_of(BLOB_A, layout)
    handle = runtime.new_handle()
    with check.step(f"deserialize a {layout} uint8 tensor while pending"), check.no_exception("deserialize"):
        handle.deserialize(tensor)
    with check.step("materialize"):
        check.equal("serialize()", warm_bytes(runtime, handle), BLOB_A)


@pytest.mark.clause("H8")
def test_deserialize_accepts_a_cuda_tensor(runtime, check):
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device here: the cross-device part of H8 runs on a GPU machine (ci/gpu.sh)")
    handle = runtime.new_handle()
    with check.step("deserialize a CUDA uint8 tensor"), check.no_exception("deserialize"):
        handle.deserialize(tensor_of(BLOB_A).cuda())
    check.equal("serialize()", warm_bytes(runtime, handle), BLOB_A)


@pytest.mark.clause("H8")
@pytest.mark.parametrize("dtype", [torch.int8, torch.float32, torch.int64, torch.bool])
@pytest.mark.parametrize("state", ["pending", "materialized"])
def test_deserialize_rejects_other_dtypes(runtime, check, dtype, state):
    handle = runtime.new_handle()
    if state == "pending":
        handle.deserialize(tensor_of(BLOB_A))
    else:
        runtime.materialize(handle)
        handle.deserialize(tensor_of(BLOB_A))
    bad = torch.zeros(8, dtype=dtype)
    with check.step(f"deserialize a {dtype} tensor into a {state} handle"):
        try:
            handle.deserialize(bad)
        except Exception as exc:  # any clear error will do; its text must say why
            text = str(exc).lower()
            check.true(f"the error to name the dtype or uint8 (got {type(exc).__name__}: {exc})", "uint8" in text or "dtype" in text or "byte" in text)
        else:
            check.fail(f"expected an error for a {dtype} tensor, observed none (its memory would be reinterpreted as cache bytes)")
    with check.step("the handle after the rejected call"):
        check.equal("serialize()", warm_bytes(runtime, handle), BLOB_A)


@pytest.mark.clause("H9")
def test_serialize_returns_pending_bytes_before_materialization(runtime, check):
    handle = runtime.new_handle()
    handle.deserialize(tensor_of(BLOB_A))
    with check.step("serialize() while pending"):
        check.equal("serialize()", bytes_of(handle.serialize()), BLOB_A)
        check.equal("has_cache()", handle.has_cache(), False)


@pytest.mark.clause("H9")
def test_save_and_save_to_stream_persist_pending_bytes(runtime, check, tmp_path):
    path = tmp_path / "cache.bin"
    rc = runtime.api.RuntimeCache(str(path))
    runtime.handle_of(rc).deserialize(tensor_of(BLOB_A))
    with check.step("save_to_stream() while pending"):
        stream = io.BytesIO()
        check.equal("count returned", rc.save_to_stream(stream), len(BLOB_A))
        check.equal("stream bytes", stream.getvalue(), BLOB_A)
    with check.step("save() while pending"):
        rc.save()
        check.equal("file bytes", path.read_bytes() if path.exists() else None, BLOB_A)
