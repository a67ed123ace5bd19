"""``runtime_cache()``: one shared cache attached to every engine under a module for a
``with`` block; loaded on enter, saved exactly once on exit (A8)."""

from __future__ import annotations

import logging
import os
from typing import Any, Optional, Sequence, Union

import torch

from .cache import RuntimeCache
from .module import TorchTensorRTModule

logger = logging.getLogger("pytest_trtcache.reference")


class _RuntimeCacheContextManager:
    """``with runtime_cache(module, path) as rc:``: load on enter, attach, save once on exit."""

    cache_class: type = RuntimeCache

    def __init__(self, targets: Union[torch.nn.Module, Sequence[torch.nn.Module]], path: Any = "", autosave: bool = True) -> None:
        self._targets = (targets,) if isinstance(targets, torch.nn.Module) else tuple(targets)
        if isinstance(path, (str, os.PathLike)):
            self.path, self._stream = os.fspath(path), None
        elif hasattr(path, "read") or hasattr(path, "write"):
            self.path, self._stream = "", path
        else:
            raise TypeError(f"runtime_cache(): 'path' must be str, os.PathLike or a file-like object; got {type(path).__name__}")
        self.autosave = autosave
        self.handle: Optional[RuntimeCache] = None
        self._previous: list[tuple[Any, Any]] = []

    def __enter__(self) -> RuntimeCache:
        engines = [m for t in self._targets for m in t.modules() if isinstance(m, TorchTensorRTModule)]
        if not engines:
            raise RuntimeError("runtime_cache() requires at least one TorchTensorRTModule under the target(s)")
        # The CM saves explicitly; its handle must never autosave too (A8).
        self.handle = self.cache_class(self.path, autosave_on_del=False)
        if self._stream is not None:
            if hasattr(self._stream, "read"):
                self.handle.load_from_stream(self._stream)
        else:
            self.handle.load()
        for engine in engines:
            self._previous.append((engine, engine.runtime_settings))
            engine.runtime_settings = engine.runtime_settings.merge(runtime_cache=self.handle)
        return self.handle

    def __exit__(self, *exc_info: Any) -> None:
        for engine, settings in reversed(self._previous):
            engine.runtime_settings = settings
        self._previous.clear()
        if not self.autosave or self.handle is None:
            return
        try:
            if self._stream is not None:
                if hasattr(self._stream, "write"):
                    self.handle.save_to_stream(self._stream)
            else:
                self.handle.save()
        except Exception as exc:  # never mask the user's exception (A8); report it (A9)
            logger.warning("runtime cache save on exiting runtime_cache() failed: %s: %s", type(exc).__name__, str(exc))


def runtime_cache(targets: Union[torch.nn.Module, Sequence[torch.nn.Module]], path: Any = "", autosave: bool = True) -> _RuntimeCacheContextManager:
    """Attach one shared cache to every engine under ``targets`` for a ``with`` block."""
    return _RuntimeCacheContextManager(targets, path, autosave)
