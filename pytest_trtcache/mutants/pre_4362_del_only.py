"""PR #4362 undone: autosave only in ``__del__`` (no at-exit hook) and a lazy import in
``save()``. At shutdown the engine-implicit facade dies in module teardown, after
``sys.meta_path`` became ``None``: the import raises ``ImportError: sys.meta_path is
None, Python is likely shutting down``, which leaks as ``Exception ignored in ...
__del__`` and the cache file is never written (A1, A2)."""

import os

from pytest_trtcache.reference.cache import RuntimeCache as _Fixed
from pytest_trtcache.reference.handle import tensor_bytes

from ._build import derive


class RuntimeCache(_Fixed):
    def _register_atexit_autosave(self) -> None:
        pass  # pre-#4362: no atexit hook

    def save(self, path=None) -> None:
        from pytest_trtcache.mutants._lazy_filelock import FileLock  # lazy, as upstream was

        target = os.fspath(path) if path is not None else self.path
        data = tensor_bytes(self._handle.serialize())
        if not target or not data:
            return
        with FileLock(target + ".lock"):
            with open(target, "wb") as f:
                f.write(data)

    def __del__(self) -> None:
        if self.autosave_on_del:  # pre-#4362: save straight from __del__, exceptions leak
            self.save()


globals().update(derive(__name__, cache=RuntimeCache))
