"""Savers share one fixed temp name and take no lock: concurrent saves interleave."""

import os

from pytest_trtcache import reference as _ref
from pytest_trtcache.reference.handle import tensor_bytes

from ._build import derive


class RuntimeCache(_ref.RuntimeCache):
    def save(self, path=None) -> None:
        target = os.fspath(path) if path is not None else self.path
        data = tensor_bytes(self._handle.serialize()) if target else b""
        if not data:
            return
        tmp = target + ".tmp"
        with open(tmp, "wb") as f:
            for i in range(0, len(data), 4096):  # many writes, like a streaming writer
                f.write(data[i : i + 4096])
                f.flush()
        os.replace(tmp, target)


globals().update(derive(__name__, cache=RuntimeCache))
