"""``torch_tensorrt.runtime._runtime_config`` of 2.14.0: ``RuntimeSettings`` and
``runtime_config`` as upstream writes them (no TensorRT here: ``TRTRuntimeConfig`` is
left out, it only talks to TensorRT)."""

from __future__ import annotations

import dataclasses
import getpass
import os
import tempfile
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Sequence, Tuple, Union

import torch

# torch_tensorrt.dynamo._defaults
DYNAMIC_SHAPES_KERNEL_SPECIALIZATION_STRATEGY = "lazy"
CUDA_GRAPH_STRATEGY = "disabled"
RUNTIME_CACHE_PATH = os.path.join(tempfile.gettempdir(), f"torch_tensorrt_{getpass.getuser()}/runtime_cache.bin")

_DYNAMIC_SHAPES_KERNEL_STRATEGY_MAP: Dict[str, int] = {"lazy": 0, "eager": 1, "none": 2}
_CUDA_GRAPH_STRATEGY_MAP: Dict[str, int] = {"disabled": 0, "whole_graph_capture": 1}


@dataclass(frozen=True)
class RuntimeSettings:
    dynamic_shapes_kernel_specialization_strategy: str = DYNAMIC_SHAPES_KERNEL_SPECIALIZATION_STRATEGY
    cuda_graph_strategy: str = CUDA_GRAPH_STRATEGY
    runtime_cache: Optional[Union[str, Any]] = field(default_factory=lambda: RUNTIME_CACHE_PATH)

    def __post_init__(self) -> None:
        if self.dynamic_shapes_kernel_specialization_strategy not in _DYNAMIC_SHAPES_KERNEL_STRATEGY_MAP:
            raise ValueError(
                "Invalid dynamic_shapes_kernel_specialization_strategy: "
                f"{self.dynamic_shapes_kernel_specialization_strategy!r}. "
                f"Expected one of {list(_DYNAMIC_SHAPES_KERNEL_STRATEGY_MAP)}."
            )
        if self.cuda_graph_strategy not in _CUDA_GRAPH_STRATEGY_MAP:
            raise ValueError(f"Invalid cuda_graph_strategy: {self.cuda_graph_strategy!r}. Expected one of {list(_CUDA_GRAPH_STRATEGY_MAP)}.")

    def merge(self, **overrides: Any) -> "RuntimeSettings":
        unknown = set(overrides) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise TypeError(f"Unknown RuntimeSettings field(s): {sorted(unknown)}. Valid fields: {[f.name for f in dataclasses.fields(self)]}.")
        return dataclasses.replace(self, **overrides)


class _RuntimeConfigContextManager:
    def __init__(self, target_or_targets: Union[torch.nn.Module, Sequence[torch.nn.Module]], **overrides: Any) -> None:
        valid_fields = {f.name for f in dataclasses.fields(RuntimeSettings)}
        unknown = set(overrides) - valid_fields
        if unknown:
            raise TypeError(f"Unknown RuntimeSettings field(s): {sorted(unknown)}. Valid fields: {sorted(valid_fields)}.")
        if isinstance(target_or_targets, torch.nn.Module):
            self._targets: Tuple[torch.nn.Module, ...] = (target_or_targets,)
            self._yield_tuple = False
        else:
            self._targets = tuple(target_or_targets)
            self._yield_tuple = True
        self._overrides = overrides
        self._saved: Dict[Any, RuntimeSettings] = {}

    def __enter__(self) -> Any:
        from ._TorchTensorRTModule import TorchTensorRTModule

        for target in self._targets:
            for _, mod in target.named_modules():
                # Upstream also requires ``mod.engine is not None``; the harness's
                # wrappers have no TensorRT engine (docs/targets.md), so this package
                # attaches to every wrapper, as with no lazily initialized engine.
                if isinstance(mod, TorchTensorRTModule):
                    if mod in self._saved:
                        continue
                    current = mod.runtime_settings
                    self._saved[mod] = current
                    mod.runtime_settings = current.merge(**self._overrides)
        return self._targets if self._yield_tuple else self._targets[0]

    def __exit__(self, *args: Any) -> None:
        for mod, prior in self._saved.items():
            mod.runtime_settings = prior


def runtime_config(target_or_targets: Union[torch.nn.Module, Sequence[torch.nn.Module]], **overrides: Any) -> _RuntimeConfigContextManager:
    return _RuntimeConfigContextManager(target_or_targets, **overrides)
