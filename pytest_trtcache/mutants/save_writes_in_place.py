"""A save that truncates and rewrites the cache file in place: a kill mid-save leaves
neither the old nor the new file."""

import os

from filelock import FileLock

from pytest_trtcache import reference as _ref
from pytest_trtcache.reference.handle import tensor_bytes

from ._build import derive


class RuntimeCache(_ref.RuntimeCache):
    def save(self, path=None) -> None:
        target = os.fspath(path) if path is not None else self.path
        data = tensor_bytes(self._handle.serialize()) if target else b""
        if not data:
            return
        with FileLock(target + ".lock", timeout=10):
            with open(target, "wb") as f:
                f.write(data)


globals().update(derive(__name__, cache=RuntimeCache))
