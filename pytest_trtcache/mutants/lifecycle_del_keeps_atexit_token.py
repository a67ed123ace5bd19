"""A3 broken: ``__del__`` autosaves but leaves its at-exit hook registered (PR #4362 undone in part)."""

from pytest_trtcache.reference.cache import RuntimeCache as _Reference

from ._build import derive


class RuntimeCache(_Reference):
    def __del__(self):
        self._autosave_if_enabled()


globals().update(derive(__name__, cache=RuntimeCache))
