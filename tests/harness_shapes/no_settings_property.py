"""A wrapper configured by a method, with no ``runtime_settings`` property."""

from typing import Any

from upstream_214._runtime_cache import RuntimeCache, _autosave_at_exit, _RuntimeCacheHandle, runtime_cache  # noqa: F401
from upstream_214._TorchTensorRTModule import TorchTensorRTModule as _Upstream


class TorchTensorRTModule(_Upstream):
    runtime_settings = None  # type: ignore[assignment]

    def set_runtime_settings(self, rs: Any) -> None:
        self._runtime_settings = self._resolve_runtime_cache(rs)
