"""``load()`` that opens the cache file with ``os.open`` and never closes it: one file
descriptor leaked per load."""

import os

from pytest_trtcache.reference import cache as _cache
from pytest_trtcache.reference.cache import RuntimeCache as _Reference

from ._build import derive


class RuntimeCache(_Reference):
    def load(self, path=None) -> None:
        target = os.fspath(path) if path is not None else self.path
        if not target or not os.path.exists(target):
            return
        self.check_directory(target)
        with _cache.file_lock(target):
            f = os.fdopen(os.open(target, os.O_RDONLY), "rb", closefd=False)
            self.load_from_stream(f)


globals().update(derive(__name__, cache=RuntimeCache))
