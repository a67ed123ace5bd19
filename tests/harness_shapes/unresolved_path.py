"""A wrapper whose settings keep the path string (its engine-implicit cache lives only
in ``_implicit_cache_handle``): the harness cannot reach the cache an engine would use."""

from typing import Any

from upstream_214._runtime_cache import RuntimeCache, _autosave_at_exit, _RuntimeCacheHandle, runtime_cache  # noqa: F401
from upstream_214._TorchTensorRTModule import TorchTensorRTModule as _Upstream


class TorchTensorRTModule(_Upstream):
    @_Upstream.runtime_settings.setter  # type: ignore[attr-defined]
    def runtime_settings(self, rs: Any) -> None:
        resolved = self._resolve_runtime_cache(rs)
        self._runtime_settings = rs if isinstance(rs.runtime_cache, str) and rs.runtime_cache else resolved
