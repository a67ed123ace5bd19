"""The python-runtime handle of the fixed cache (both seeds, plus the extension clauses).

Two states. *Pending*: no live cache; bytes from ``deserialize`` wait in
``_pending_warm_bytes``. *Materialized*: ``_cache`` is a live kernel cache;
``deserialize`` writes through. ``ensure_materialized`` moves from the first to the
second once, under the lock, draining the pending bytes (H1-H3).

A handle pickles as ``(path, bytes)`` in every state, and loads pending, with a fresh
lock and no live cache (H5, PR #4368). Unlike upstream 2.14.0, ``serialize()`` returns
the pending bytes before materialization, as the cpp handle does (H9).
"""

from __future__ import annotations

import ctypes
import logging
import threading
from typing import Any, Optional

import torch

logger = logging.getLogger("pytest_trtcache.reference")


def tensor_bytes(data: torch.Tensor) -> bytes:
    """The bytes of a uint8 tensor of any layout or device; other dtypes are refused (H8)."""
    if not isinstance(data, torch.Tensor):
        raise TypeError(f"deserialize() expects a uint8 torch.Tensor, got {type(data).__name__}")
    if data.dtype != torch.uint8:
        raise TypeError(f"deserialize() expects a uint8 tensor, got dtype {data.dtype}; reinterpreting its memory would corrupt the cache")
    return raw_bytes(data)


def raw_bytes(data: torch.Tensor) -> bytes:
    """A copy of a tensor's memory, whatever its dtype, layout or device.

    Read through ``ctypes`` rather than ``Tensor.numpy()``: torch does not need numpy,
    and neither does this package (a torch without numpy raises "Numpy is not
    available" on ``.numpy()``).
    """
    host = data.detach().cpu().contiguous()  # kept alive while its memory is read
    size = host.numel() * host.element_size()
    return ctypes.string_at(host.data_ptr(), size) if size else b""


def bytes_tensor(data: Optional[bytes]) -> torch.Tensor:
    if not data:
        return torch.empty(0, dtype=torch.uint8)
    return torch.frombuffer(bytearray(data), dtype=torch.uint8)


class RuntimeCacheHandle:
    """Python-runtime handle: same surface as the cpp torchbind class."""

    def __init__(self, path: str = "") -> None:
        self.path: str = path
        self._cache: Optional[Any] = None
        self._pending_warm_bytes: Optional[bytes] = None
        self._lock = threading.Lock()

    def _blob_unlocked(self) -> bytes:
        if self._cache is not None:
            host = self._cache.serialize()
            return bytes(memoryview(host)) if host is not None and host.nbytes else b""
        return self._pending_warm_bytes or b""

    def serialize(self) -> torch.Tensor:
        with self._lock:
            return bytes_tensor(self._blob_unlocked())

    def deserialize(self, data: torch.Tensor) -> None:
        blob = tensor_bytes(data)
        if not blob:
            return  # H4: empty is a no-op in every state
        with self._lock:
            if self._cache is None:
                self._pending_warm_bytes = blob
            else:
                self._cache.deserialize(blob)

    def has_cache(self) -> bool:
        return self._cache is not None

    def ensure_materialized(self, runtime_config: Any) -> Any:
        with self._lock:
            if self._cache is None:
                cache = runtime_config.create_runtime_cache()
                if self._pending_warm_bytes is not None:
                    try:
                        cache.deserialize(self._pending_warm_bytes)
                    except ValueError as exc:
                        # S6: a corrupt or foreign blob must not stop the engine; start cold
                        # and say so. The file it came from is left as it is.
                        # (the message, not the exception: a handler that keeps records, like
                        # caplog, would keep its traceback's frames and the facade alive, A5)
                        logger.warning("runtime cache %r: discarding %d unreadable bytes, starting cold: %s", self.path, len(self._pending_warm_bytes), str(exc))
                self._cache, self._pending_warm_bytes = cache, None
            return self._cache

    def __getstate__(self) -> dict[str, Any]:
        with self._lock:
            return {"path": self.path, "bytes": bytes_tensor(self._blob_unlocked())}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.path = state["path"]
        self._cache = None
        self._lock = threading.Lock()
        blob = state.get("bytes")
        self._pending_warm_bytes = (tensor_bytes(blob) if blob is not None else b"") or None

    def __repr__(self) -> str:
        state = "materialized" if self._cache is not None else ("pending" if self._pending_warm_bytes else "empty")
        return f"RuntimeCacheHandle(path={self.path!r}, {state})"
