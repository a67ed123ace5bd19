"""What the machine draws from: its bundles (the handles and facades it made), the kinds
of object it makes, the entries of a cache, and the hostile world each rule of it draws
its options from.

A rule on a facade draws from ``facades``, so it cannot run in a machine that makes no
facade; a rule on any object draws from ``objects``: hypothesis draws from whichever of
the two bundles is filled (an empty branch of a ``one_of`` of bundles is skipped). Such a
rule also takes the precondition :func:`made_any`: hypothesis only skips a rule while a
bundle it draws from directly is empty, and a draw from two empty ones is a filtered
example (enough of them fail a health check).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import Bundle
from hypothesis.strategies import SearchStrategy

from pytest_trtcache.contract.sizes import BOUNDARY_SIZES, is_blob
from pytest_trtcache.reference.kernels import HEADER_SIZE, encode

HANDLE, FACADE = "handle", "facade"
KINDS = (HANDLE, FACADE)

handles: Bundle[str] = Bundle("handles")
facades: Bundle[str] = Bundle("facades")
objects: SearchStrategy[str] = handles | facades


def made_any(machine: Any) -> bool:
    """Whether ``objects`` has something to draw."""
    return bool(machine.bundle(handles.name) or machine.bundle(facades.name))


# Few keys, so entries collide and merges (later value wins) are exercised. At least one
# entry: an engine's run compiles at least one kernel, and a blob of no entries is the empty
# tensor, which the "empty" layout draws on purpose (H4). Hypothesis favours small values:
# with empty dicts allowed, most deserializes and engine runs moved nothing, and bugs that
# need bytes to lose (H4's wipe, S4's interrupted save, A8's failing exit) were found late.
KEYS = (b"conv:1x3x224x224", b"gemm:64x64", b"softmax:8x128", b"relu:1")
entries_strategy = st.dictionaries(st.sampled_from(KEYS), st.binary(min_size=1, max_size=6), min_size=1, max_size=3)
# Blobs at the boundary sizes (C1), up to 256 KiB + 1: the model is re-encoded after every
# step, so bigger ones would slow every example (the conformance suite takes them to 16 MiB).
MACHINE_MAX_BLOB = (1 << 18) + 1
BLOB_SIZES = tuple(s for s in BOUNDARY_SIZES if s and is_blob(s) and s <= MACHINE_MAX_BLOB)

# The hostile world (H3, H8, A7-A9, S4-S6, X1, X2): what a shared machine, a crash or a
# careless caller does to a cache. The rules draw their options from these.
# H8: all uint8, all accepted; "empty": an empty tensor, whatever the entries (H4: a no-op)
LAYOUTS = ("contiguous", "empty", "non-contiguous", "sliced", "2-d", "transposed-2-d")
WRONG_DTYPES = ("int8", "float32", "int64", "bool")  # H8: all rejected with a clear error
THREADS = (1, 1, 4)  # materialize from one thread, or from four at once (H3)
SYMLINK_AT = ("temp", "lock", "target")  # X1: where a symlink is planted before a save
_GOOD = encode({KEYS[0]: b"warm", KEYS[1]: b"kernel"})
BAD_FILES = {  # S6: what a crash, a disk or another program leaves at a cache path
    "empty": b"",
    "truncated-in-the-header": _GOOD[: HEADER_SIZE // 2],
    "truncated-after-the-header": _GOOD[: HEADER_SIZE + 2],
    "truncated-by-one": _GOOD[:-1],
    "bit-flipped-body": _GOOD[:-3] + bytes([_GOOD[-3] ^ 0x40]) + _GOOD[-2:],
    "foreign-zip": b"PK\x03\x04" + b"\x14\x00" * 20,
    "random": bytes(range(256)),
}
# (user's exception, save fails) on leaving runtime_cache(); the hostile one first, as
# hypothesis shrinks towards a sampled list's first element, and twice, so that it is
# drawn two times in five rather than one in four (A8's worst case: a failing save must
# not mask the user's exception)
CM_EXITS = ((True, True), (False, False), (True, True), (True, False), (False, True))
# what the engine wrapper must not pickle: its runtime settings and the cache they made (W1)
WRAPPER_EXCLUDED = ("_runtime_settings", "_implicit_cache_handle")
CONCURRENT_SAVERS, CONCURRENT_BLOB = 4, 256 << 10  # S5: big enough that unlocked writes interleave
