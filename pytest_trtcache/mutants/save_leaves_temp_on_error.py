"""A save that does not clean up its temp file when writing or renaming fails
(torch-tensorrt 2.14.0 leaves ``path + ".tmp"`` behind)."""

import os

from filelock import FileLock

from ._build import derive


def write_file(target: str, data: bytes) -> None:
    with FileLock(target + ".lock", timeout=10):
        tmp = f"{target}.{os.getpid()}.tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, target)


globals().update(derive(__name__, write_file=write_file))
