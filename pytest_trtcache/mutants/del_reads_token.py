"""PR #4362 review undone: ``__del__`` reads ``self._atexit_token`` directly."""

import atexit

from pytest_trtcache.reference.cache import RuntimeCache as _Reference

from ._build import derive


class RuntimeCache(_Reference):
    def __del__(self):
        self._autosave_if_enabled()
        if self._atexit_token is not None:
            atexit.unregister(self._atexit_token)


globals().update(derive(__name__, cache=RuntimeCache))
