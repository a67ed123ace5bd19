"""``save()`` that creates missing directories group-writable (``mode=0o770``, chmod-ed
past the umask "so the team can share the cache")."""

import os

from pytest_trtcache.reference.cache import write_atomically

from ._build import derive


def write_file(target: str, data: bytes) -> None:
    parent = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(parent):
        os.makedirs(parent, exist_ok=True)
        os.chmod(parent, 0o770)
    write_atomically(target, data)


globals().update(derive(__name__, write_file=write_file))
