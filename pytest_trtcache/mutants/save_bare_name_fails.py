"""Upstream-shaped (a surviving cosmic-ray mutant of 2.14.0's ``save()``,
``if not parent: os.makedirs(parent)``): the directory is made from the path's own
directory part, which is ``""`` for a bare file name, so ``save("cache.bin")`` raises
FileNotFoundError while paths with a directory still work."""

import os

from pytest_trtcache.reference.cache import write_atomically

from ._build import derive


def write_file(target: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(target), exist_ok=True)  # the bug: makedirs("") raises
    write_atomically(target, data)


globals().update(derive(__name__, write_file=write_file))
