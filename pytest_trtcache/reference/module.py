"""Stand-in for upstream's ``TorchTensorRTModule`` and ``RuntimeSettings`` with upstream
torch-tensorrt 2.14.0's names, signatures and defaults (so a vendor copies upstream's
interface, not this project's): ``TorchTensorRTModule(serialized_engine=None,
input_binding_names=None, output_binding_names=None, *, name="", ...)``, a frozen
``RuntimeSettings(dynamic_shapes_kernel_specialization_strategy="lazy",
cuda_graph_strategy="disabled", runtime_cache=<per-user temp file>)`` with ``merge()``,
and a ``runtime_settings`` setter that resolves a path to an engine-implicit autosaving
``RuntimeCache`` carried in the settings.

Runtime settings are not part of an engine's identity (upstream #4310), so pickling
or ``torch.save`` drops ``_runtime_settings`` and ``_implicit_cache_handle`` and loading
restores ``RuntimeSettings(runtime_cache=None)`` and no handle (W1, W2; PR #4368).

Only what the contract speaks of is here: there is no TensorRT engine (``engine`` stays
``None``, ``forward`` is ``nn.Module``'s), no validation of the strategies, no save of a
displaced implicit cache (it autosaves when collected). The harness plays TensorRT
itself (``pytest_trtcache/targets/engine_wrapper.py``).
"""

from __future__ import annotations

import dataclasses
import getpass
import os
import tempfile
from typing import Any, Optional, Union

import torch

from .cache import RuntimeCache

EXCLUDED_FROM_PICKLE = ("_runtime_settings", "_implicit_cache_handle")
#: upstream's default: a per-user temp file (torch_tensorrt.dynamo._defaults.RUNTIME_CACHE_PATH)
RUNTIME_CACHE_PATH = os.path.join(tempfile.gettempdir(), f"torch_tensorrt_{getpass.getuser()}/runtime_cache.bin")


@dataclasses.dataclass(frozen=True)
class RuntimeSettings:
    dynamic_shapes_kernel_specialization_strategy: str = "lazy"
    cuda_graph_strategy: str = "disabled"
    runtime_cache: Union[None, str, RuntimeCache] = dataclasses.field(default_factory=lambda: RUNTIME_CACHE_PATH)

    def merge(self, **overrides: Any) -> "RuntimeSettings":
        """A new ``RuntimeSettings`` with ``overrides`` applied (an unknown field is a TypeError)."""
        return dataclasses.replace(self, **overrides)


class TorchTensorRTModule(torch.nn.Module):
    #: the facade class an engine-implicit cache is made of (mutants and the wheel shim swap it)
    cache_class: type = RuntimeCache

    def __init__(
        self,
        serialized_engine: Optional[bytes] = None,
        input_binding_names: Optional[list[str]] = None,
        output_binding_names: Optional[list[str]] = None,
        *,
        name: str = "",
        settings: Any = None,
        requires_output_allocator: bool = False,
        requires_native_multidevice: bool = False,
        symbolic_shape_expressions: Any = None,
        aliased_io: Any = None,
    ) -> None:
        super().__init__()
        self.input_binding_names = list(input_binding_names or [])
        self.output_binding_names = list(output_binding_names or [])
        self.name = name
        self.serialized_engine = serialized_engine
        self.engine: Any = None
        self._runtime_settings = RuntimeSettings()
        self._implicit_cache_handle: Optional[RuntimeCache] = None

    @property
    def runtime_settings(self) -> RuntimeSettings:
        return self._runtime_settings

    @runtime_settings.setter
    def runtime_settings(self, rs: RuntimeSettings) -> None:
        rc = rs.runtime_cache
        if isinstance(rc, (str, os.PathLike)) and os.fspath(rc):
            # Engine-implicit: nobody else holds it, so it autosaves (A1, A3).
            implicit = self.cache_class(os.fspath(rc), autosave_on_del=True)
            implicit.load()
            self._implicit_cache_handle = implicit
            rs = rs.merge(runtime_cache=implicit)
        else:  # None or a cache someone else owns (the settings carry it either way)
            self._implicit_cache_handle = None
        self._runtime_settings = rs

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        for name in EXCLUDED_FROM_PICKLE:
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.setdefault("_runtime_settings", RuntimeSettings(runtime_cache=None))
        state.setdefault("_implicit_cache_handle", None)
        super().__setstate__(state)
