"""``save_to_stream()`` that flushes the caller's stream after writing ("make sure it is
on disk"): an effect on an object the caller owns that the reference never has."""

from pytest_trtcache.reference.cache import RuntimeCache as _Reference

from ._build import derive


class RuntimeCache(_Reference):
    def save_to_stream(self, stream) -> int:
        count = super().save_to_stream(stream)
        stream.flush()
        return count


globals().update(derive(__name__, cache=RuntimeCache))
