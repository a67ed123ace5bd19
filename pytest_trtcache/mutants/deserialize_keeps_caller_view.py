"""A zero-copy deserialize: while pending, the handle keeps the caller's tensor (a view
of its memory) and reads the bytes only when it needs them."""

import torch

from pytest_trtcache.reference.handle import RuntimeCacheHandle, bytes_tensor, raw_bytes

from ._build import derive


class _RuntimeCacheHandle(RuntimeCacheHandle):
    _view = None

    @property
    def _pending_warm_bytes(self):
        return None if self._view is None else raw_bytes(self._view)

    @_pending_warm_bytes.setter
    def _pending_warm_bytes(self, blob) -> None:
        self._view = None if blob is None else bytes_tensor(blob)

    def deserialize(self, data) -> None:
        if isinstance(data, torch.Tensor) and data.dtype == torch.uint8 and data.numel():
            with self._lock:
                if self._cache is None:
                    self._view = data.detach().cpu().contiguous()  # no copy when already contiguous
                    return
        super().deserialize(data)


globals().update(derive(__name__, handle=_RuntimeCacheHandle))
