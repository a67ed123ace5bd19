"""``save()`` that keeps the previous cache file as ``<path>.bak``: a file the reference
never leaves in the caller's directory."""

import os
import shutil

from pytest_trtcache.reference.cache import write_atomically

from ._build import derive


def write_file(target: str, data: bytes) -> None:
    if os.path.isfile(target):
        shutil.copyfile(target, target + ".bak")
    write_atomically(target, data)


globals().update(derive(__name__, write_file=write_file))
