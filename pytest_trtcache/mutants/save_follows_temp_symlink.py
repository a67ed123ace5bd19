"""torch-tensorrt 2.14.0's ``save()``: opens ``path + ".tmp"`` for writing before it
knows there is anything to save, following a symlink planted there."""

import os
import shutil

from filelock import FileLock

from pytest_trtcache import reference as _ref

from ._build import derive


class RuntimeCache(_ref.RuntimeCache):
    def save(self, path=None) -> None:
        target = os.fspath(path) if path is not None else self.path
        if not target:
            return
        tmp = target + ".tmp"
        with FileLock(target + ".lock", timeout=10):
            with open(tmp, "wb") as f:
                wrote = self.save_to_stream(f)
            if wrote:
                shutil.move(tmp, target)
            else:
                try:
                    os.remove(tmp)
                except OSError:
                    pass


globals().update(derive(__name__, cache=RuntimeCache))
