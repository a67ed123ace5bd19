"""Plausible: ``runtime_cache()`` without upstream's "requires at least one
TorchTensorRTModule" check, so a block over a model with no engine runs with a cache
that no engine uses (and loads and saves a file for nothing)."""

from pytest_trtcache.reference.context import _RuntimeCacheContextManager
from pytest_trtcache.reference.module import TorchTensorRTModule

from ._build import derive


class _CM(_RuntimeCacheContextManager):
    def __enter__(self):
        if not any(isinstance(m, TorchTensorRTModule) for t in self._targets for m in t.modules()):
            self.handle = self.cache_class(self.path, autosave_on_del=False)  # the bug: no check
            self.handle.load()
            return self.handle
        return super().__enter__()


globals().update(derive(__name__, context_manager=_CM))
