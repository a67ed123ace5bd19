"""Plausible: ``load()`` takes an existing, empty file for a cleared cache and starts the
handle afresh, dropping the pending bytes or the live cache it held (upstream's
``load_from_stream`` returns 0 and changes nothing)."""

import os

from pytest_trtcache.reference.cache import RuntimeCache as _Reference

from ._build import derive


class RuntimeCache(_Reference):
    def load(self, path=None):
        target = os.fspath(path) if path is not None else self.path
        if target and os.path.isfile(target) and os.path.getsize(target) == 0:
            self._handle = self._new_handle(self.path)  # the bug: "empty file" read as "clear"
            return
        super().load(path)


globals().update(derive(__name__, cache=RuntimeCache))
