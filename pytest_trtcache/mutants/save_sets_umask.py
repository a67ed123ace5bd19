"""``save()`` that sets a private umask for its files and never puts the caller's back."""

import os

from pytest_trtcache.reference.cache import write_atomically

from ._build import derive


def write_file(target: str, data: bytes) -> None:
    os.umask(0o077)
    write_atomically(target, data)


globals().update(derive(__name__, write_file=write_file))
