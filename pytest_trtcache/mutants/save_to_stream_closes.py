"""``save_to_stream()`` that closes the caller's stream when done, as if it owned it."""

from pytest_trtcache.reference.cache import RuntimeCache as _Reference

from ._build import derive


class RuntimeCache(_Reference):
    def save_to_stream(self, stream) -> int:
        count = super().save_to_stream(stream)
        stream.close()
        return count


globals().update(derive(__name__, cache=RuntimeCache))
