"""Plausible: ``__setstate__`` restores the flag but never re-arms the at-exit hook."""

from pytest_trtcache.reference.cache import RuntimeCache as _Reference

from ._build import derive


class RuntimeCache(_Reference):
    def __setstate__(self, state):
        self._atexit_token = None
        self._handle = self._new_handle(state["path"])
        self._handle.deserialize(state["bytes"])
        self.autosave_on_del = state["autosave_on_del"]


globals().update(derive(__name__, cache=RuntimeCache))
