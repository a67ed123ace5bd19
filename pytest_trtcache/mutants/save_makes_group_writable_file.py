"""``save()`` that leaves the cache file group-writable (chmod 0o664 after the rename)."""

import os

from pytest_trtcache.reference.cache import write_atomically

from ._build import derive


def write_file(target: str, data: bytes) -> None:
    write_atomically(target, data)
    os.chmod(target, 0o664)


globals().update(derive(__name__, write_file=write_file))
