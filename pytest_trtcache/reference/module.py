"""Stand-in for upstream's ``TorchTensorRTModule``: an engine wrapper that carries
per-process runtime settings and, for a path-valued ``runtime_cache``, an
engine-implicit autosaving cache.

Runtime settings are not part of an engine's identity (upstream #4310), so pickling
or ``torch.save`` drops ``_runtime_settings`` and ``_implicit_cache_handle`` and loading
restores defaults (W1, W2; PR #4368).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Optional, Union

import torch

from .cache import RuntimeCache
from .kernels import kernel_entry

EXCLUDED_FROM_PICKLE = ("_runtime_settings", "_implicit_cache_handle")


@dataclasses.dataclass(frozen=True)
class RuntimeSettings:
    runtime_cache: Union[None, str, RuntimeCache] = None
    dynamic_shapes_kernel_strategy: str = "lazy"
    cuda_graph_strategy: str = "disabled"

    def replace(self, **changes: Any) -> "RuntimeSettings":
        return dataclasses.replace(self, **changes)


class TorchTensorRTModule(torch.nn.Module):
    #: the facade class an engine-implicit cache is made of (mutants swap it)
    cache_class: type = RuntimeCache
    def __init__(self, name: str = "engine", runtime_settings: Optional[RuntimeSettings] = None) -> None:
        super().__init__()
        self.name = name
        self._runtime_settings = RuntimeSettings()
        self._implicit_cache_handle: Optional[RuntimeCache] = None
        if runtime_settings is not None:
            self.runtime_settings = runtime_settings

    @property
    def runtime_settings(self) -> RuntimeSettings:
        return self._runtime_settings

    @runtime_settings.setter
    def runtime_settings(self, settings: RuntimeSettings) -> None:
        self._runtime_settings = settings
        rc = settings.runtime_cache
        if isinstance(rc, (str, os.PathLike)) and os.fspath(rc):
            # Engine-implicit: nobody else holds it, so it autosaves (A1, A3).
            implicit = self.cache_class(os.fspath(rc), autosave_on_del=True)
            implicit.load()
            self._implicit_cache_handle = implicit
        else:
            self._implicit_cache_handle = None

    @property
    def runtime_cache(self) -> Optional[RuntimeCache]:
        rc = self._runtime_settings.runtime_cache
        return rc if isinstance(rc, RuntimeCache) else self._implicit_cache_handle

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rc = self.runtime_cache
        if rc is not None:
            rc._run_kernel(*kernel_entry(self.name, tuple(x.shape)))
        return x.clone()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        for name in EXCLUDED_FROM_PICKLE:
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self._runtime_settings = RuntimeSettings()
        self._implicit_cache_handle = None
