"""``save()`` that fails at once (``filelock.Timeout``) when another process holds the
cache's lock, where the reference waits for it."""

from filelock import FileLock

from pytest_trtcache.reference import cache as _cache

from ._build import derive


def write_file(target: str, data: bytes) -> None:
    with FileLock(target + ".lock", timeout=0):
        pass  # raises Timeout while another process holds it
    _cache.write_atomically(target, data)


globals().update(derive(__name__, write_file=write_file))
