"""Stand-in for upstream's ``TorchTensorRTModule`` and ``RuntimeSettings`` with upstream
torch-tensorrt 2.14.0's names, signatures and defaults (so a vendor copies upstream's
interface, not this project's): ``TorchTensorRTModule(serialized_engine=None,
input_binding_names=None, output_binding_names=None, *, name="", ...)``, a frozen
``RuntimeSettings(dynamic_shapes_kernel_specialization_strategy="lazy",
cuda_graph_strategy="disabled", runtime_cache=<per-user temp file>)`` with ``merge()``,
and a ``runtime_settings`` setter that resolves a path to an engine-implicit
autosaving ``RuntimeCache`` it owns (saving the one it displaces).

Runtime settings are not part of an engine's identity (upstream #4310), so pickling
or ``torch.save`` drops ``_runtime_settings`` and ``_implicit_cache_handle`` and loading
restores ``RuntimeSettings(runtime_cache=None)`` and no handle (W1, W2; PR #4368).

There is no TensorRT here: the engine is this project's model. ``forward`` compiles a
``kernel_entry(name, shape)`` into the cache the settings carry, as TensorRT would; the
conformance harness does not call it (it plays TensorRT itself, see
``pytest_trtcache/targets/engine_wrapper.py``).
"""

from __future__ import annotations

import dataclasses
import getpass
import logging
import os
import tempfile
from typing import Any, Optional, Union

import torch

from .cache import RuntimeCache
from .kernels import RuntimeConfig, kernel_entry

logger = logging.getLogger("pytest_trtcache.reference")

EXCLUDED_FROM_PICKLE = ("_runtime_settings", "_implicit_cache_handle")
DYNAMIC_SHAPES_KERNEL_SPECIALIZATION_STRATEGY = "lazy"
CUDA_GRAPH_STRATEGY = "disabled"
#: upstream's default: a per-user temp file (torch_tensorrt.dynamo._defaults.RUNTIME_CACHE_PATH)
RUNTIME_CACHE_PATH = os.path.join(tempfile.gettempdir(), f"torch_tensorrt_{getpass.getuser()}/runtime_cache.bin")
_STRATEGIES = ("lazy", "eager", "none")
_CUDA_GRAPH_STRATEGIES = ("disabled", "whole_graph_capture")


@dataclasses.dataclass(frozen=True)
class RuntimeSettings:
    dynamic_shapes_kernel_specialization_strategy: str = DYNAMIC_SHAPES_KERNEL_SPECIALIZATION_STRATEGY
    cuda_graph_strategy: str = CUDA_GRAPH_STRATEGY
    runtime_cache: Union[None, str, RuntimeCache] = dataclasses.field(default_factory=lambda: RUNTIME_CACHE_PATH)

    def __post_init__(self) -> None:
        if self.dynamic_shapes_kernel_specialization_strategy not in _STRATEGIES:
            raise ValueError(f"Invalid dynamic_shapes_kernel_specialization_strategy: {self.dynamic_shapes_kernel_specialization_strategy!r}. Expected one of {list(_STRATEGIES)}.")
        if self.cuda_graph_strategy not in _CUDA_GRAPH_STRATEGIES:
            raise ValueError(f"Invalid cuda_graph_strategy: {self.cuda_graph_strategy!r}. Expected one of {list(_CUDA_GRAPH_STRATEGIES)}.")

    def merge(self, **overrides: Any) -> "RuntimeSettings":
        """A new ``RuntimeSettings`` with ``overrides`` applied on top of this one."""
        names = [f.name for f in dataclasses.fields(self)]
        unknown = set(overrides) - set(names)
        if unknown:
            raise TypeError(f"Unknown RuntimeSettings field(s): {sorted(unknown)}. Valid fields: {names}.")
        return dataclasses.replace(self, **overrides)


class _ModelEngine:
    """The engine a serialized engine deserializes to, in this project's model of TensorRT."""

    def __init__(self, serialized_engine: bytes) -> None:
        self.serialized_engine = bytes(serialized_engine)


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
        self.settings = settings
        self.serialized_engine = serialized_engine
        self.engine: Optional[_ModelEngine] = None
        self._runtime_settings = RuntimeSettings()
        self._implicit_cache_handle: Optional[RuntimeCache] = None
        if serialized_engine:
            self.setup_engine()

    def setup_engine(self) -> None:
        if self.engine is not None:
            return
        self.engine = _ModelEngine(self.serialized_engine or b"")
        self.runtime_settings = self._runtime_settings  # resolves a path-valued runtime_cache

    @property
    def runtime_settings(self) -> RuntimeSettings:
        return self._runtime_settings

    @runtime_settings.setter
    def runtime_settings(self, rs: RuntimeSettings) -> None:
        self._runtime_settings = self._resolve_runtime_cache(rs)

    def _resolve_runtime_cache(self, rs: RuntimeSettings) -> RuntimeSettings:
        """A non-empty path -> the engine-implicit cache (A1, A3); anything else passes through."""
        rc = rs.runtime_cache
        if not (isinstance(rc, (str, os.PathLike)) and os.fspath(rc)):
            if rc is not self._implicit_cache_handle:
                self._set_managed_handle(None)
            return rs.merge(runtime_cache=None) if isinstance(rc, (str, os.PathLike)) else rs
        path = os.fspath(rc)
        old = self._implicit_cache_handle
        if old is not None and old.path == path:
            return rs.merge(runtime_cache=old)
        # Engine-implicit: nobody else holds it, so it autosaves.
        new = self.cache_class(path, autosave_on_del=True)
        try:
            new.load()
        except Exception as exc:
            logger.warning("Failed to warm-load implicit runtime cache from %r: %s", path, exc)
        self._set_managed_handle(new)
        return rs.merge(runtime_cache=new)

    def _set_managed_handle(self, new: Optional[RuntimeCache]) -> None:
        old = self._implicit_cache_handle
        if old is not None and old is not new:
            try:
                old.save()
            except Exception as exc:
                logger.warning("Failed to save prior implicit runtime cache on swap: %s", exc)
        self._implicit_cache_handle = new

    def forward(self, *inputs: torch.Tensor) -> Any:
        """The model engine: compile one kernel per input shape into the settings' cache."""
        rc = self._runtime_settings.runtime_cache
        for x in inputs:
            if rc is None or isinstance(rc, (str, os.PathLike)):
                continue
            entry = kernel_entry(self.name, tuple(x.shape))
            if hasattr(rc, "_run_kernel"):
                rc._run_kernel(*entry)
            else:  # another implementation's facade (the wheel shim): upstream's engine-side call
                live = rc.ensure_cache(RuntimeConfig())
                if live is not None:
                    live.add_entry(*entry)
        outputs = tuple(x.clone() for x in inputs)
        return outputs[0] if len(outputs) == 1 else outputs

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        for name in EXCLUDED_FROM_PICKLE:
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.setdefault("_runtime_settings", RuntimeSettings(runtime_cache=None))
        state.setdefault("_implicit_cache_handle", None)
        super().__setstate__(state)
