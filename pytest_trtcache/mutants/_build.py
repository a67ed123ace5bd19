"""Assemble a mutant's upstream-named surface from the one class it changes.

A mutant overrides one piece (handle, facade, wrapper, context manager, at-exit
helper); the others must still point at it (the facade makes the mutant handle, the
wrapper and the CM make the mutant facade). ``derive`` builds those consistent
subclasses and names them as the mutant's module, so pickles of them load by name.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from pytest_trtcache import reference as ref
from pytest_trtcache.reference.context import _RuntimeCacheContextManager


def _named(cls: type, module: str, name: str) -> type:
    cls.__module__, cls.__name__, cls.__qualname__ = module, name, name
    return cls


def derive(
    module: str,
    *,
    handle: Optional[type] = None,
    cache: Optional[type] = None,
    wrapper: Optional[type] = None,
    context_manager: Optional[type] = None,
    autosave_at_exit: Optional[Callable[..., None]] = None,
    cpp_variant: str = "",
    write_file: Optional[Callable[[str, bytes], None]] = None,
) -> dict[str, Any]:
    """Names for ``globals().update(...)`` in a mutant module.

    ``cpp_variant`` names the C++ build variant (``reference/cpp.py`` ``VARIANTS``) the
    facade's cpp runtime makes its handles of. ``write_file(target, data)`` replaces how
    the reference's ``save()`` writes, after its own prologue (a path, bytes to save,
    the directory check): a save mutant is its writer alone.
    """
    handle = handle or ref._RuntimeCacheHandle
    if cache is None:
        cache = type("RuntimeCache", (ref.RuntimeCache,), {})
    if write_file is not None:
        cache.write_file = staticmethod(write_file)
    if cpp_variant:
        cache.cpp_variant = cpp_variant
    if cache.python_handle_class is ref._RuntimeCacheHandle:
        cache.python_handle_class = handle
    wrapper = wrapper or type("TorchTensorRTModule", (ref.TorchTensorRTModule,), {})
    wrapper.cache_class = cache
    cm = context_manager or type("_RuntimeCacheContextManager", (_RuntimeCacheContextManager,), {})
    cm.cache_class = cache

    def runtime_cache(targets: Any, path: Any = "", autosave: bool = True) -> Any:
        return cm(targets, path, autosave)

    runtime_cache.__module__ = module
    names: dict[str, Any] = {
        "_RuntimeCacheHandle": _named(handle, module, "_RuntimeCacheHandle") if handle is not ref._RuntimeCacheHandle else handle,
        "RuntimeCache": _named(cache, module, "RuntimeCache"),
        "TorchTensorRTModule": _named(wrapper, module, "TorchTensorRTModule"),
        "_RuntimeCacheContextManager": _named(cm, module, "_RuntimeCacheContextManager"),
        "runtime_cache": runtime_cache,
        "_autosave_at_exit": autosave_at_exit or ref._autosave_at_exit,
    }
    return names
