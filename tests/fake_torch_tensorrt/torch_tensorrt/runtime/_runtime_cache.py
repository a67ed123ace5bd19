"""Upstream-shaped: picks its handle from torch_tensorrt.ENABLED_FEATURES at construction."""

import torch
import torch_tensorrt

from pytest_trtcache.reference.cache import RuntimeCache as _Reference
from pytest_trtcache.reference.cache import _autosave_at_exit  # noqa: F401
from pytest_trtcache.reference.context import runtime_cache  # noqa: F401
from pytest_trtcache.reference.handle import RuntimeCacheHandle as _RuntimeCacheHandle


class RuntimeCache(_Reference):
    @classmethod
    def _new_handle(cls, path):
        if torch_tensorrt.ENABLED_FEATURES.torch_tensorrt_runtime:
            return torch.classes.tensorrt.RuntimeCacheHandle(path)
        return _RuntimeCacheHandle(path)
