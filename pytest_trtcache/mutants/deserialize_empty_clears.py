"""Plausible: ``deserialize`` of an empty tensor overwrites the pending bytes with nothing."""

from pytest_trtcache.reference.handle import RuntimeCacheHandle, tensor_bytes

from ._build import derive


class _RuntimeCacheHandle(RuntimeCacheHandle):
    def deserialize(self, data):
        blob = tensor_bytes(data)
        with self._lock:
            if self._cache is None:
                self._pending_warm_bytes = blob or None
            elif blob:
                self._cache.deserialize(blob)


globals().update(derive(__name__, handle=_RuntimeCacheHandle))
