"""load_from_stream() reads fixed-size chunks and takes a short one for the end of the
stream: right for files and BytesIO, wrong for a pipe-like raw stream."""

from pytest_trtcache import reference as _ref
from pytest_trtcache.reference.handle import bytes_tensor

from ._build import derive

CHUNK = 1 << 16


class RuntimeCache(_ref.RuntimeCache):
    def load_from_stream(self, stream) -> int:
        chunks = []
        while True:
            chunk = stream.read(CHUNK)
            if chunk:
                chunks.append(chunk)
            if len(chunk) < CHUNK:
                break
        data = b"".join(chunks)
        if not data:
            return 0
        self._handle.deserialize(bytes_tensor(data))
        return len(data)


globals().update(derive(__name__, cache=RuntimeCache))
