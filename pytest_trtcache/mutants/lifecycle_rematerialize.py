"""H2 broken: ``ensure_materialized`` creates a fresh live cache on every call."""

from pytest_trtcache.reference.handle import RuntimeCacheHandle

from ._build import derive


class _RuntimeCacheHandle(RuntimeCacheHandle):
    def ensure_materialized(self, runtime_config):
        with self._lock:
            cache = runtime_config.create_runtime_cache()
            if self._pending_warm_bytes is not None:
                cache.deserialize(self._pending_warm_bytes)
            self._cache, self._pending_warm_bytes = cache, None
            return self._cache


globals().update(derive(__name__, handle=_RuntimeCacheHandle))
