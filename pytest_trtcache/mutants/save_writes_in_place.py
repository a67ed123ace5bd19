"""A save that truncates and rewrites the cache file in place: a kill mid-save leaves
neither the old nor the new file."""

from filelock import FileLock

from ._build import derive


def write_file(target: str, data: bytes) -> None:
    with FileLock(target + ".lock", timeout=10):
        with open(target, "wb") as f:
            f.write(data)


globals().update(derive(__name__, write_file=write_file))
