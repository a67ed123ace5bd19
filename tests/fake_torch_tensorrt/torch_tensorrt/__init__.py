"""Fake torch_tensorrt: registers its library the way upstream's __init__ does."""

import os

import torch

__version__ = "0.0.0+fake"
LOADED = []  # what _register_with_torch asked torch to load


def _register_with_torch() -> None:
    path = os.path.join(os.path.dirname(__file__), "lib", "libtorchtrt_runtime.so")
    if os.path.isfile(path):
        assert ENABLED_FEATURES.torch_tensorrt_runtime
        torch.ops.load_library(path)
        LOADED.append(path)


from torch_tensorrt._features import ENABLED_FEATURES  # noqa: E402

_register_with_torch()

from torch_tensorrt.runtime._runtime_cache import RuntimeCache, runtime_cache  # noqa: E402,F401
