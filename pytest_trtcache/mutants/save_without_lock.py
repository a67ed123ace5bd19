"""Savers share one fixed temp name and take no lock: concurrent saves interleave."""

import os

from ._build import derive


def write_file(target: str, data: bytes) -> None:
    tmp = target + ".tmp"
    with open(tmp, "wb") as f:
        for i in range(0, len(data), 4096):  # many writes, like a streaming writer
            f.write(data[i : i + 4096])
            f.flush()
    os.replace(tmp, target)


globals().update(derive(__name__, write_file=write_file))
