"""A python handle whose ``deserialize()`` zeroes the caller's tensor once it has copied
it ("free the staging buffer"): the caller's own tensor changes under it."""

import torch

from pytest_trtcache.reference.handle import RuntimeCacheHandle

from ._build import derive


class _RuntimeCacheHandle(RuntimeCacheHandle):
    def deserialize(self, data) -> None:
        super().deserialize(data)
        if isinstance(data, torch.Tensor) and data.dtype == torch.uint8:
            data.zero_()


globals().update(derive(__name__, handle=_RuntimeCacheHandle))
