"""torch-tensorrt 2.14.0's python handle: ``serialize()`` is empty before materialization
(the cpp handle returns the pending bytes since PR #4368: a runtime divergence)."""

import torch

from pytest_trtcache.reference.handle import RuntimeCacheHandle

from ._build import derive


class _RuntimeCacheHandle(RuntimeCacheHandle):
    def serialize(self) -> torch.Tensor:
        if self._cache is None:
            return torch.empty(0, dtype=torch.uint8)
        return super().serialize()


globals().update(derive(__name__, handle=_RuntimeCacheHandle))
