"""``load()`` that registers an at-exit hook to remove the lock file it used: one more
hook per load, on a facade that does not autosave."""

import atexit
import contextlib
import os

from pytest_trtcache.reference.cache import RuntimeCache as _Reference

from ._build import derive


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


class RuntimeCache(_Reference):
    def load(self, path=None) -> None:
        super().load(path)
        target = os.fspath(path) if path is not None else self.path
        if target:
            atexit.register(_remove, target + ".lock")


globals().update(derive(__name__, cache=RuntimeCache))
