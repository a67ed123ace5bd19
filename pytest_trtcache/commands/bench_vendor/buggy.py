"""The benchmark vendor with three bugs, each one a zoo mutant's (``trtcache selfcheck``
kills each alone on its clause):

* **pickling** (``handle-pickles-lock``, H5/H6): the handle has no ``__getstate__``, so a
  pickle carries its lock and fails;
* **the at-exit autosave hook** (``double-save``, A4): ``__del__`` and the hook both
  save (the flag that makes the first one win is never cleared);
* **saving** (``save-leaves-temp-on-error``, S4): a write or rename that fails leaves
  the temp file behind.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from filelock import FileLock

from . import fixed

_autosave_at_exit = fixed._autosave_at_exit


class _RuntimeCacheHandle(fixed._RuntimeCacheHandle):
    __getstate__ = object.__getstate__

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


def _write_file(target: str, data: bytes) -> None:
    with FileLock(target + ".lock", timeout=10):
        tmp = f"{target}.{os.getpid()}.tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, target)


class RuntimeCache(fixed.RuntimeCache):
    python_handle_class = _RuntimeCacheHandle
    write_file = staticmethod(_write_file)

    def _autosave_if_enabled(self) -> None:
        with contextlib.suppress(Exception):
            if self.autosave_on_del and self.path:
                self.save()


TorchTensorRTModule, _RuntimeCacheContextManager, runtime_cache = fixed.surface(RuntimeCache, __name__)

__all__ = ["RuntimeCache", "TorchTensorRTModule", "_RuntimeCacheContextManager", "_RuntimeCacheHandle", "_autosave_at_exit", "runtime_cache"]
