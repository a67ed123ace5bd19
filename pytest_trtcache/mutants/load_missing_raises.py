"""Plausible: ``load()`` opens the file without checking that it exists (first run fails)."""

import os

from pytest_trtcache.reference.cache import RuntimeCache as _Reference

from ._build import derive


class RuntimeCache(_Reference):
    def load(self, path=None):
        target = os.fspath(path) if path is not None else self.path
        with open(target, "rb") as f:
            self.load_from_stream(f)


globals().update(derive(__name__, cache=RuntimeCache))
