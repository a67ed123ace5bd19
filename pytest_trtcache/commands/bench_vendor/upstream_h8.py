"""The benchmark vendor shaped like upstream 2.14.0 where it differs from the contract
only in the extension clause H8: ``deserialize`` takes any tensor's memory as cache
bytes (upstream: ``bytes(data.cpu().contiguous().numpy())``) instead of rejecting
another dtype. Every required clause passes; at level ``all`` the suite fails H8 alone.
"""

from __future__ import annotations

from typing import Any

from pytest_trtcache.reference.handle import raw_bytes

from . import fixed

_autosave_at_exit = fixed._autosave_at_exit


class _RuntimeCacheHandle(fixed._RuntimeCacheHandle):
    def deserialize(self, data: Any) -> None:
        blob = raw_bytes(data)
        if not blob:
            return
        with self._lock:
            if self._cache is None:
                self._pending_warm_bytes = blob
            else:
                self._cache.deserialize(blob)


class RuntimeCache(fixed.RuntimeCache):
    python_handle_class = _RuntimeCacheHandle


TorchTensorRTModule, _RuntimeCacheContextManager, runtime_cache = fixed.surface(RuntimeCache, __name__)

__all__ = ["RuntimeCache", "TorchTensorRTModule", "_RuntimeCacheContextManager", "_RuntimeCacheHandle", "_autosave_at_exit", "runtime_cache"]
