"""Plausible: ``ensure_materialized`` checks and creates without holding the lock."""

from pytest_trtcache.reference.handle import RuntimeCacheHandle

from ._build import derive


class _RuntimeCacheHandle(RuntimeCacheHandle):
    def ensure_materialized(self, runtime_config):
        if self._cache is None:
            cache = runtime_config.create_runtime_cache()
            if self._pending_warm_bytes is not None:
                cache.deserialize(self._pending_warm_bytes)
            self._cache, self._pending_warm_bytes = cache, None
        return self._cache


globals().update(derive(__name__, handle=_RuntimeCacheHandle))
