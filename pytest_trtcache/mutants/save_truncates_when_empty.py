"""Upstream 2.14.0's save shape without its empty-tmp check: writes ``path + ".tmp"``
and moves it over the target even when there is nothing to save."""

import os
import shutil

from pytest_trtcache.reference.cache import RuntimeCache as _Reference
from pytest_trtcache.reference.handle import tensor_bytes

from ._build import derive


class RuntimeCache(_Reference):
    def save(self, path=None):
        target = os.fspath(path) if path is not None else self.path
        if not target:
            return
        tmp = target + ".tmp"
        with open(tmp, "wb") as f:
            f.write(tensor_bytes(self._handle.serialize()))
        shutil.move(tmp, target)


globals().update(derive(__name__, cache=RuntimeCache))
