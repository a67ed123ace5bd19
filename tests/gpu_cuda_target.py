"""A target laid out in upstream's names whose import initializes CUDA, as a real
Torch-TensorRT import does on a GPU machine. The fork server that preloads it must
notice and fall back to exec; children that import it use CUDA themselves."""

import torch

from pytest_trtcache.reference import (  # noqa: F401
    RuntimeCache,
    TorchTensorRTModule,
    _autosave_at_exit,
    _RuntimeCacheHandle,
    runtime_cache,
)

if torch.cuda.is_available():
    torch.zeros(1, device="cuda")  # initializes the CUDA context of the importing process
