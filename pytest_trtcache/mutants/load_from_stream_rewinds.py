"""``load_from_stream()`` that puts the caller's stream back where it found it ("peek"),
so the caller's position no longer says what was consumed."""

from pytest_trtcache.reference.cache import RuntimeCache as _Reference

from ._build import derive


class RuntimeCache(_Reference):
    def load_from_stream(self, stream) -> int:
        start = stream.tell()
        count = super().load_from_stream(stream)
        stream.seek(start)
        return count


globals().update(derive(__name__, cache=RuntimeCache))
