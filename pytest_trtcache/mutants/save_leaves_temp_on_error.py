"""A save that does not clean up its temp file when writing or renaming fails
(torch-tensorrt 2.14.0 leaves ``path + ".tmp"`` behind)."""

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
            tmp = f"{target}.{os.getpid()}.tmp"
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, target)


globals().update(derive(__name__, cache=RuntimeCache))
