"""Clause H7: python and cpp handles give identical observations for the same ops.

``compare_handles(python_runtime, cpp_runtime, ops)`` drives one fresh handle of each
runtime through ``ops`` and, after every step, compares what a user (and a white-box
test) can see: ``has_cache()``, ``serialize()`` bytes, the pending bytes, ``path``,
the bytes a pickle of the handle carries, and the outcome of the step itself (the
value it returned, or the kind and message of the error it raised). The runtimes are
:class:`pytest_trtcache.targets.base.Runtime` objects (``new_handle``, ``materialize``,
``add_kernels``, ``observe``); a runtime that does not expose pending bytes is
compared without them.

Operations (tuples)::

    ("deserialize", blob)      blob: bytes (b"" for the empty tensor; may be corrupt)
    ("deserialize_tensor", t)  a ready-made tensor (a sliced view, another dtype, ...)
    ("materialize",)
    ("add_entry", key, value)  key, value: bytes (key must be UTF-8 for the cpp handle)
    ("serialize",)
    ("pickle",)                replace the handle by a pickle round trip of it
    ("deepcopy",)              replace the handle by copy.deepcopy of it
    ("set_path", path)
"""

from __future__ import annotations

import copy
import pickle
from dataclasses import dataclass
from typing import Any, Iterable, Optional, Sequence

from hypothesis import strategies as st

from pytest_trtcache.reference import kernels
from pytest_trtcache.targets.base import PENDING_BYTES, NotObservable, bytes_of, tensor_of

Op = tuple


@dataclass(frozen=True)
class Observation:
    outcome: tuple  # ("ok", value) or ("error", kind, message)
    has_cache: bool
    serialized: bytes
    pending: Optional[bytes]  # None when the runtime does not expose it
    pickled: bytes  # what a pickle of the handle carries (seen through a round trip)
    path: str


class ParityMismatch(AssertionError):
    """The two runtimes observed differently; the message names the step and both sides."""


def _error_kind(exc: BaseException) -> str:
    # kernels.CacheFormatError is a ValueError; the C++ handle raises ValueError (TORCH_CHECK_VALUE)
    for kind in (ValueError, TypeError):
        if isinstance(exc, kind):
            return kind.__name__
    return "error"


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0]


def _apply(runtime: Any, handle: Any, op: Op) -> tuple[Any, tuple]:
    name = op[0]
    if name == "deserialize":
        handle.deserialize(tensor_of(op[1]))
        return handle, ("ok", None)
    if name == "deserialize_tensor":
        handle.deserialize(op[1])
        return handle, ("ok", None)
    if name == "materialize":
        runtime.materialize(handle)
        return handle, ("ok", None)
    if name == "add_entry":
        if not handle.has_cache():
            return handle, ("refused", "not materialized")  # neither runtime has a live cache
        runtime.add_kernels(handle, {op[1]: op[2]})
        return handle, ("ok", None)
    if name == "serialize":
        return handle, ("ok", bytes_of(handle.serialize()))
    if name == "pickle":
        return pickle.loads(pickle.dumps(handle)), ("ok", None)
    if name == "deepcopy":
        return copy.deepcopy(handle), ("ok", None)
    if name == "set_path":
        handle.path = op[1]
        return handle, ("ok", None)
    raise ValueError(f"unknown parity operation {op!r}")


def _pending(runtime: Any, handle: Any) -> Optional[bytes]:
    try:
        value = runtime.observe(PENDING_BYTES, handle)
    except NotObservable:
        return None
    if value is None:
        return b""
    return value if isinstance(value, bytes) else bytes_of(value)


def observe(runtime: Any, handle: Any, outcome: tuple) -> Observation:
    return Observation(
        outcome=outcome,
        has_cache=bool(handle.has_cache()),
        serialized=bytes_of(handle.serialize()),
        pending=_pending(runtime, handle),
        pickled=bytes_of(pickle.loads(pickle.dumps(handle)).serialize()),
        path=str(handle.path),
    )


def run_ops(runtime: Any, ops: Iterable[Op], path: str = "parity.cache") -> list[Observation]:
    """The observations of one fresh handle of ``runtime`` after each op."""
    handle = runtime.new_handle(path)
    trace = []
    for op in ops:
        try:
            handle, outcome = _apply(runtime, handle, op)
        except Exception as exc:
            outcome = ("error", _error_kind(exc), _first_line(exc) if _error_kind(exc) == "ValueError" else "")
        trace.append(observe(runtime, handle, outcome))
    return trace


def _short(op: Op) -> str:
    return "(" + ", ".join(repr(x)[:60] for x in op) + ")"


def compare_handles(python_runtime: Any, cpp_runtime: Any, ops: Sequence[Op], path: str = "parity.cache") -> list[Observation]:
    """Run ``ops`` on both runtimes; raise :class:`ParityMismatch` at the first divergence.

    Returns the (common) trace. Pending bytes are compared only when both runtimes
    expose them.
    """
    ops = list(ops)
    left, right = run_ops(python_runtime, ops, path), run_ops(cpp_runtime, ops, path)
    for step, (op, a, b) in enumerate(zip(ops, left, right)):
        fields = ["outcome", "has_cache", "serialized", "pickled", "path"]
        if a.pending is not None and b.pending is not None:
            fields.append("pending")
        diffs = [f for f in fields if getattr(a, f) != getattr(b, f)]
        if diffs:
            done = ", ".join(_short(o) for o in ops[:step])
            detail = "; ".join(f"{f}: python={getattr(a, f)!r} cpp={getattr(b, f)!r}" for f in diffs)
            raise ParityMismatch(f"H7: python and cpp handles diverge at step {step} {_short(op)} after [{done}]: {detail}")
    return left


# -- hypothesis strategies: random operation sequences for compare_handles -----------------
keys = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6).map(str.encode)
entries = st.dictionaries(keys, st.binary(max_size=12), max_size=4)
valid_blobs = entries.map(kernels.encode)
corrupt_blobs = st.tuples(entries.filter(bool).map(kernels.encode), st.integers(min_value=0), st.integers(1, 255)).map(
    lambda t: t[0][: t[1] % len(t[0])] if t[2] % 2 else t[0][: t[1] % len(t[0])] + bytes([t[0][t[1] % len(t[0])] ^ t[2]]) + t[0][t[1] % len(t[0]) + 1 :]
)
op_sequences = st.lists(
    st.one_of(
        st.tuples(st.just("deserialize"), st.one_of(st.just(b""), valid_blobs, valid_blobs, corrupt_blobs)),
        st.just(("materialize",)),
        st.tuples(st.just("add_entry"), keys, st.binary(max_size=8)),
        st.just(("serialize",)),
        st.just(("pickle",)),
        st.just(("deepcopy",)),
    ),
    max_size=14,
)
