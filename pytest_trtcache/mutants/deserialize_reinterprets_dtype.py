"""torch-tensorrt 2.14.0's ``deserialize``: any dtype's memory is taken as cache bytes."""

from pytest_trtcache.reference.handle import RuntimeCacheHandle, raw_bytes

from ._build import derive


class _RuntimeCacheHandle(RuntimeCacheHandle):
    def deserialize(self, data) -> None:
        blob = raw_bytes(data)  # upstream: bytes(data.cpu().contiguous().numpy())
        if not blob:
            return
        with self._lock:
            if self._cache is None:
                self._pending_warm_bytes = blob
            else:
                self._cache.deserialize(blob)


globals().update(derive(__name__, handle=_RuntimeCacheHandle))
