"""The benchmark vendor, fixed: the reference's classes under the vendor's module, each
pointing at the vendor's others (the facade makes this module's handles, the wrapper and
the context manager this module's facades)."""

from __future__ import annotations

from typing import Any

from pytest_trtcache import reference
from pytest_trtcache.reference.context import _RuntimeCacheContextManager as _ReferenceContextManager

_autosave_at_exit = reference._autosave_at_exit


class _RuntimeCacheHandle(reference._RuntimeCacheHandle):
    pass


class RuntimeCache(reference.RuntimeCache):
    python_handle_class = _RuntimeCacheHandle


class TorchTensorRTModule(reference.TorchTensorRTModule):
    cache_class = RuntimeCache


class _RuntimeCacheContextManager(_ReferenceContextManager):
    cache_class = RuntimeCache


def runtime_cache(target_or_targets: Any, path: Any = "", autosave: bool = True) -> _RuntimeCacheContextManager:
    return _RuntimeCacheContextManager(target_or_targets, path, autosave)


__all__ = ["RuntimeCache", "TorchTensorRTModule", "_RuntimeCacheContextManager", "_RuntimeCacheHandle", "_autosave_at_exit", "runtime_cache"]
