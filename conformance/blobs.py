"""Expected values, computed from the reference model (never from the target)."""

from __future__ import annotations

from pytest_trtcache.reference.kernels import encode, kernel_entry

ENTRIES_A = dict([kernel_entry("conv", (1, 3, 224, 224)), kernel_entry("gemm", (64, 64))])
ENTRIES_B = dict([kernel_entry("softmax", (8, 128))])
BLOB_A = encode(ENTRIES_A)
BLOB_B = encode(ENTRIES_B)
BLOB_AB = encode({**ENTRIES_A, **ENTRIES_B})
