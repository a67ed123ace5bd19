"""A wrapper constructed as ``TorchTensorRTModule(name, runtime_settings)``: no
``serialized_engine`` first."""

from upstream_214._runtime_cache import RuntimeCache, _autosave_at_exit, _RuntimeCacheHandle, runtime_cache  # noqa: F401
from upstream_214._TorchTensorRTModule import TorchTensorRTModule as _Upstream


class TorchTensorRTModule(_Upstream):
    def __init__(self, name: str = "engine", runtime_settings=None) -> None:
        super().__init__(None, name=name)
