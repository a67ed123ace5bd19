"""PR #4362 undone in part: ``__del__`` saves but never unregisters its at-exit token."""

from pytest_trtcache.reference.cache import RuntimeCache as _Reference

from ._build import derive


class RuntimeCache(_Reference):
    def __del__(self):
        self._autosave_if_enabled()


globals().update(derive(__name__, cache=RuntimeCache))
