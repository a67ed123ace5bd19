"""Plausible: ``runtime_cache()`` saves on exit unguarded, so a failing save masks the user's error."""

from pytest_trtcache.reference.context import _RuntimeCacheContextManager

from ._build import derive


class _CM(_RuntimeCacheContextManager):
    def __exit__(self, *exc_info):
        for engine, settings in reversed(self._previous):
            engine.runtime_settings = settings
        self._previous.clear()
        if self.autosave and self.handle is not None:
            self.handle.save()


globals().update(derive(__name__, context_manager=_CM))
