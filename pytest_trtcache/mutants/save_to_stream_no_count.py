"""Plausible: ``save_to_stream`` writes but forgets to return the count."""

from pytest_trtcache.reference.cache import RuntimeCache as _Reference
from pytest_trtcache.reference.handle import tensor_bytes

from ._build import derive


class RuntimeCache(_Reference):
    def save_to_stream(self, stream):
        data = tensor_bytes(self._handle.serialize())
        if data:
            stream.write(data)


globals().update(derive(__name__, cache=RuntimeCache))
