"""torch-tensorrt 2.14.0's ``runtime_cache()``: ``_load_into`` calls
``handle.load_from_stream(self._stream)`` for any stream it accepted ("anything with
.read or .write"), so a write-only sink raises AttributeError on entering the block.
(2.14.0 also calls ``write`` on a read-only source and logs the AttributeError on exit;
this mutant is the read half alone.)"""

from pytest_trtcache.reference.context import _RuntimeCacheContextManager

from ._build import derive


class _CM(_RuntimeCacheContextManager):
    def __enter__(self):
        stream = self._stream
        if stream is not None and not hasattr(stream, "read"):
            stream.read()  # the bug: read whatever was given (AttributeError)
        return super().__enter__()


globals().update(derive(__name__, context_manager=_CM))
