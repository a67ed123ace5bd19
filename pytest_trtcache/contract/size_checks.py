"""What the size clauses (C1, S3) check with: a facade warmed to a size, :func:`holds`
(a handle carries a payload), and the share-out of the big sizes among a target's
runtimes, so the suite pays for each big round trip once."""

from __future__ import annotations

from typing import Any

from pytest_trtcache.contract.sizes import is_blob, sized
from pytest_trtcache.targets.base import PENDING_BYTES, NotObservable, Runtime, bytes_of, tensor_of

# Up to here every runtime takes every size; above, where one round trip costs tens of
# milliseconds, the target's runtimes share the sizes out (each still meets 2 MiB to
# 16 MiB, one either side or on each power).
EVERY_RUNTIME_UP_TO = (1 << 20) + 1


def sizes_for(runtime: Runtime, sizes: tuple[int, ...]) -> tuple[int, ...]:
    """``sizes`` up to :data:`EVERY_RUNTIME_UP_TO`, then this runtime's turn of the bigger ones."""
    names = [n for n, rt in runtime.target.runtimes.items() if rt.unavailable_reason() is None]
    turn, every = names.index(runtime.name), len(names)
    big = [s for s in sizes if s > EVERY_RUNTIME_UP_TO]
    return tuple(s for s in sizes if s <= EVERY_RUNTIME_UP_TO) + tuple(big[turn::every])


def warm_facade(runtime: Runtime, path: str, size: int) -> Any:
    """A facade whose live cache holds ``sized(size)`` (so save() needs no pending bytes)."""
    rc = runtime.api.RuntimeCache(path)
    handle = runtime.handle_of(rc)
    handle.deserialize(tensor_of(sized(size)))
    runtime.materialize(handle)
    return rc


def holds(runtime: Runtime, check: Any, handle: Any, payload: bytes, after: str) -> None:
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
