"""A load() that reads the cache file with one bounded read: at most 1 MiB arrives."""

import os

from pytest_trtcache import reference as _ref
from pytest_trtcache.reference.cache import file_lock
from pytest_trtcache.reference.handle import bytes_tensor

from ._build import derive

BUFFER = 1 << 20


class RuntimeCache(_ref.RuntimeCache):
    def load(self, path=None) -> None:
        target = os.fspath(path) if path is not None else self.path
        if not target or not os.path.exists(target):
            return
        self.check_directory(target)
        with file_lock(target):
            with open(target, "rb") as f:
                data = f.read(BUFFER)
        if data:
            self._handle.deserialize(bytes_tensor(data))


globals().update(derive(__name__, cache=RuntimeCache))
