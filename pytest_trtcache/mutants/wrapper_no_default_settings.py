"""Plausible: ``__setstate__`` drops the excluded attributes but never restores defaults."""

import torch

from pytest_trtcache.reference.module import TorchTensorRTModule as _Reference

from ._build import derive


class TorchTensorRTModule(_Reference):
    def __setstate__(self, state):
        torch.nn.Module.__setstate__(self, state)


globals().update(derive(__name__, wrapper=TorchTensorRTModule))
