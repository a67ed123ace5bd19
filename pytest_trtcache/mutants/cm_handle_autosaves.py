"""Plausible: ``runtime_cache()`` builds its handle with ``autosave_on_del=True``."""

from pytest_trtcache.reference.context import _RuntimeCacheContextManager

from ._build import derive


class _CM(_RuntimeCacheContextManager):
    def __enter__(self):
        rc = super().__enter__()
        rc.autosave_on_del = True
        rc._register_atexit_autosave()
        return rc


globals().update(derive(__name__, context_manager=_CM))
