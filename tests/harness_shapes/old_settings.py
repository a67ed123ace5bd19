"""Settings whose strategy field has another name (``dynamic_shapes_kernel_strategy``)."""

import dataclasses
from typing import Any

from upstream_214._runtime_cache import RuntimeCache, _autosave_at_exit, _RuntimeCacheHandle, runtime_cache  # noqa: F401
from upstream_214._TorchTensorRTModule import TorchTensorRTModule as _Upstream


@dataclasses.dataclass(frozen=True)
class RuntimeSettings:
    runtime_cache: Any = None
    dynamic_shapes_kernel_strategy: str = "lazy"

    def merge(self, **overrides: Any) -> "RuntimeSettings":
        return dataclasses.replace(self, **overrides)


class TorchTensorRTModule(_Upstream):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._runtime_settings = RuntimeSettings()
