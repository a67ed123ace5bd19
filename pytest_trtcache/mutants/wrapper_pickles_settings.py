"""PR #4368 undone: the engine wrapper pickles ``_runtime_settings`` and the implicit handle."""

from pytest_trtcache.reference.module import TorchTensorRTModule as _Reference

from ._build import derive


class TorchTensorRTModule(_Reference):
    def __getstate__(self):
        return self.__dict__.copy()


globals().update(derive(__name__, wrapper=TorchTensorRTModule))
