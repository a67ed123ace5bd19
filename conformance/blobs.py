"""Expected values, computed from the reference model (never from the target), and
:func:`holds`, the check that a handle carries one."""

from __future__ import annotations

from pytest_trtcache.contract.sizes import BOUNDARY_SIZES, ShortReads, is_blob, sized  # noqa: F401
from pytest_trtcache.reference.kernels import encode, kernel_entry
from pytest_trtcache.targets.base import PENDING_BYTES, NotObservable, bytes_of

ENTRIES_A = dict([kernel_entry("conv", (1, 3, 224, 224)), kernel_entry("gemm", (64, 64))])
ENTRIES_B = dict([kernel_entry("softmax", (8, 128))])
BLOB_A = encode(ENTRIES_A)
BLOB_B = encode(ENTRIES_B)
BLOB_AB = encode({**ENTRIES_A, **ENTRIES_B})


def holds(runtime, check, handle, payload: bytes, after: str) -> None:
    """``handle`` holds ``payload``: as its pending bytes while it is pending (where the
    runtime lets them be observed), then, for a blob, as what it serializes once
    materialized (one opaque byte can only wait pending)."""
    try:
        pending = runtime.observe(PENDING_BYTES, handle)
    except NotObservable:
        pass  # black-box runtime: the materialized bytes decide
    else:
        if not handle.has_cache():
            check.equal(f"pending bytes after {after}", bytes(pending or b""), payload)
    if is_blob(len(payload)):
        runtime.materialize(handle)
        check.equal(f"serialize() after {after}, then materialization", bytes_of(handle.serialize()), payload)
