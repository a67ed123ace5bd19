"""Plausible: a zero-copy ``serialize()`` that hands out a view of the pending bytes
(``torch.frombuffer`` over the handle's own buffer), so a caller writing into the
returned tensor rewrites the cache."""

import torch

from pytest_trtcache.reference.handle import RuntimeCacheHandle, tensor_bytes

from ._build import derive


class _RuntimeCacheHandle(RuntimeCacheHandle):
    def deserialize(self, data: torch.Tensor) -> None:
        blob = tensor_bytes(data)
        if not blob:
            return
        with self._lock:
            if self._cache is None:
                self._pending_warm_bytes = bytearray(blob)  # a buffer of its own, kept mutable
            else:
                self._cache.deserialize(blob)

    def serialize(self) -> torch.Tensor:
        with self._lock:
            if self._cache is None and self._pending_warm_bytes:
                return torch.frombuffer(self._pending_warm_bytes, dtype=torch.uint8)  # the bug: no copy
        return super().serialize()


globals().update(derive(__name__, handle=_RuntimeCacheHandle))
