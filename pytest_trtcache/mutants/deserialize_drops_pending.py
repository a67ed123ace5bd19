"""Plausible (the bug class of issue #4359): ``deserialize`` before materialization drops the bytes."""

from pytest_trtcache.reference.handle import RuntimeCacheHandle, tensor_bytes

from ._build import derive


class _RuntimeCacheHandle(RuntimeCacheHandle):
    def deserialize(self, data):
        blob = tensor_bytes(data)
        with self._lock:
            if blob and self._cache is not None:
                self._cache.deserialize(blob)


globals().update(derive(__name__, handle=_RuntimeCacheHandle))
