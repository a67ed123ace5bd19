"""Plausible: ``save()`` without upstream's ``os.makedirs(parent, exist_ok=True)``, so a
first save into a directory that does not exist yet fails with FileNotFoundError."""

import os

from pytest_trtcache.reference.cache import write_atomically

from ._build import derive


def write_file(target: str, data: bytes) -> None:
    parent = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(parent):
        raise FileNotFoundError(2, "No such file or directory", parent)
    write_atomically(target, data)


globals().update(derive(__name__, write_file=write_file))
