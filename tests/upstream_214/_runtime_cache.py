"""``torch_tensorrt.runtime._runtime_cache`` of 2.14.0: the facade, handle and at-exit
helper are the reference's (what this package tests is the wrapper's interface);
``runtime_cache()`` is upstream's: find a wrapper (first wins), build a pending handle,
attach it through ``runtime_config``, save once on exit."""

from __future__ import annotations

import logging
import os
from typing import IO, Any, Optional, Sequence, Union

import torch

from pytest_trtcache.reference import RuntimeCache, _autosave_at_exit, _RuntimeCacheHandle

logger = logging.getLogger(__name__)


class _RuntimeCacheContextManager:
    def __init__(
        self,
        target_or_targets: Union[torch.nn.Module, Sequence[torch.nn.Module]],
        path: Union[str, "os.PathLike[str]", IO[bytes], Any] = "",
        autosave: bool = True,
    ) -> None:
        if isinstance(target_or_targets, torch.nn.Module):
            self._targets: tuple[torch.nn.Module, ...] = (target_or_targets,)
        else:
            self._targets = tuple(target_or_targets)
        if isinstance(path, (str, os.PathLike)):
            self.path = os.fspath(path) if path else ""
            self._stream: Optional[IO[bytes]] = None
        elif hasattr(path, "read") or hasattr(path, "write"):
            self.path = ""
            self._stream = path
        else:
            raise TypeError(f"runtime_cache(): 'path' must be str, os.PathLike, or a file-like object (with .read or .write); got {type(path).__name__}")
        self.autosave = autosave
        self.handle: Optional[RuntimeCache] = None
        self._inner_cm: Any = None

    def _load_into(self, handle: RuntimeCache) -> None:
        if self._stream is not None:
            handle.load_from_stream(self._stream)
        elif self.path:
            handle.load()

    def _save_from(self, handle: RuntimeCache) -> None:
        if self._stream is not None:
            handle.save_to_stream(self._stream)
        elif self.path:
            handle.save()

    def __enter__(self) -> RuntimeCache:
        from ._runtime_config import runtime_config
        from ._TorchTensorRTModule import TorchTensorRTModule

        bootstrap_module = None
        for target in self._targets:
            for _, mod in target.named_modules():
                if isinstance(mod, TorchTensorRTModule):
                    bootstrap_module = mod
                    break
            if bootstrap_module is not None:
                break
        if bootstrap_module is None:
            raise RuntimeError("runtime_cache() requires at least one TorchTensorRTModule under the target(s).")
        self.handle = RuntimeCache(path=self.path, autosave_on_del=False)
        self._load_into(self.handle)
        self._inner_cm = runtime_config(list(self._targets), runtime_cache=self.handle)
        self._inner_cm.__enter__()
        return self.handle

    def __exit__(self, *args: Any) -> None:
        if self._inner_cm is not None:
            self._inner_cm.__exit__(*args)
        if self.autosave and self.handle is not None:
            try:
                self._save_from(self.handle)
            except Exception as e:
                logger.warning(f"Failed to autosave runtime cache on CM exit: {e}")


def runtime_cache(
    target_or_targets: Union[torch.nn.Module, Sequence[torch.nn.Module]],
    path: Union[str, "os.PathLike[str]", IO[bytes], Any] = "",
    autosave: bool = True,
) -> _RuntimeCacheContextManager:
    return _RuntimeCacheContextManager(target_or_targets, path, autosave)


# What the target module exposes besides upstream's own names: the wrapper (upstream
# keeps it in torch_tensorrt.dynamo.runtime._TorchTensorRTModule).
from ._TorchTensorRTModule import TorchTensorRTModule  # noqa: E402

__all__ = ["RuntimeCache", "TorchTensorRTModule", "_RuntimeCacheHandle", "_autosave_at_exit", "runtime_cache"]
