"""Upstream-shaped (a surviving cosmic-ray mutant of 2.14.0's engine search,
``if bootstrap_module is None: break``): ``runtime_cache([a, b])`` looks for an engine
in the first target only, so a list that starts with a module holding none raises
RuntimeError although ``b`` holds an engine."""

from pytest_trtcache.reference.context import _RuntimeCacheContextManager
from pytest_trtcache.reference.module import TorchTensorRTModule

from ._build import derive


class _CM(_RuntimeCacheContextManager):
    def __enter__(self):
        first = self._targets[:1]  # the bug: the search stops after the first target
        if not any(isinstance(m, TorchTensorRTModule) for t in first for m in t.modules()):
            raise RuntimeError("runtime_cache() requires at least one TorchTensorRTModule under the target(s)")
        return super().__enter__()


globals().update(derive(__name__, context_manager=_CM))
