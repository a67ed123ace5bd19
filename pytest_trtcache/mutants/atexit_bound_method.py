"""PR #4362 review undone: the at-exit hook is a bound method, a strong reference."""

import atexit

from pytest_trtcache.reference.cache import RuntimeCache as _Reference

from ._build import derive


class RuntimeCache(_Reference):
    def _register_atexit_autosave(self):
        if self._atexit_token is None:
            self._atexit_token = atexit.register(self._autosave_if_enabled)


globals().update(derive(__name__, cache=RuntimeCache))
