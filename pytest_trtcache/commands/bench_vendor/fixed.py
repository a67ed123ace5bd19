"""The benchmark vendor, fixed: the reference's classes under the vendor's module, each
pointing at the vendor's others (the facade makes this module's handles, the wrapper and
the context manager this module's facades). :func:`surface` builds the wrapper, the
context manager and ``runtime_cache()`` for a vendor module's own facade, so that each
variant (``buggy``, ``upstream_h8``) changes only the classes its bugs live in."""

from __future__ import annotations

from typing import Any, Callable

from pytest_trtcache import reference
from pytest_trtcache.reference.context import _RuntimeCacheContextManager as _ReferenceContextManager

_autosave_at_exit = reference._autosave_at_exit


def surface(cache_class: type, module: str) -> tuple[type, type, Callable[..., Any]]:
    """``(TorchTensorRTModule, _RuntimeCacheContextManager, runtime_cache)`` of the vendor
    module ``module`` whose facade is ``cache_class``: named as that module's own, so a
    pickle of its wrapper finds them there."""
    wrapper = type("TorchTensorRTModule", (reference.TorchTensorRTModule,), {"cache_class": cache_class, "__module__": module})
    manager = type("_RuntimeCacheContextManager", (_ReferenceContextManager,), {"cache_class": cache_class, "__module__": module})

    def runtime_cache(target_or_targets: Any, path: Any = "", autosave: bool = True) -> Any:
        return manager(target_or_targets, path, autosave)

    runtime_cache.__module__ = module
    return wrapper, manager, runtime_cache


class _RuntimeCacheHandle(reference._RuntimeCacheHandle):
    pass


class RuntimeCache(reference.RuntimeCache):
    python_handle_class = _RuntimeCacheHandle


TorchTensorRTModule, _RuntimeCacheContextManager, runtime_cache = surface(RuntimeCache, __name__)

__all__ = ["RuntimeCache", "TorchTensorRTModule", "_RuntimeCacheContextManager", "_RuntimeCacheHandle", "_autosave_at_exit", "runtime_cache"]
