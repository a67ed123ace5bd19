"""``torch_tensorrt.dynamo.runtime._TorchTensorRTModule`` of 2.14.0: the constructor's
signature, the ``runtime_settings`` property and its path resolution, and the pickle
methods as upstream writes them. There is no TensorRT here: ``setup_engine`` and
``forward`` raise (the harness never calls them)."""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import torch

from ._runtime_config import RuntimeSettings

logger = logging.getLogger(__name__)


@dataclass
class CompilationSettings:  # the fields the wrapper's constructor reads
    hardware_compatible: bool = False
    dynamically_allocate_resources: bool = False
    lazy_engine_init: bool = False
    enable_cross_compile_for_windows: bool = False


class TorchTensorRTModule(torch.nn.Module):
    def __init__(
        self,
        serialized_engine: Optional[bytes] = None,
        input_binding_names: Optional[List[str]] = None,
        output_binding_names: Optional[List[str]] = None,
        *,
        name: str = "",
        settings: CompilationSettings = CompilationSettings(),
        requires_output_allocator: bool = False,
        requires_native_multidevice: bool = False,
        symbolic_shape_expressions: Optional[Dict[str, List[Dict[str, Any]]]] = None,
        aliased_io: Optional[Dict[str, Tuple[str, str]]] = None,
    ):
        super().__init__()
        self.input_binding_names = input_binding_names if input_binding_names is not None else []
        self.output_binding_names = output_binding_names if output_binding_names is not None else []
        self.name = name
        self.hardware_compatible = settings.hardware_compatible
        self.settings = copy.deepcopy(settings)
        self.serialized_engine = serialized_engine
        self.engine: Optional[Any] = None
        self.requires_output_allocator = requires_output_allocator
        self.dynamically_allocate_resources = settings.dynamically_allocate_resources
        self._runtime_settings: RuntimeSettings = RuntimeSettings()
        self._implicit_cache_handle: Any = None
        self.symbolic_shape_expressions = symbolic_shape_expressions
        self.requires_native_multidevice = requires_native_multidevice
        self.aliased_io: Dict[str, Tuple[str, str]] = dict(aliased_io or {})
        self.profiling_enabled = False
        if serialized_engine and not self.settings.lazy_engine_init and not self.settings.enable_cross_compile_for_windows:
            self.setup_engine()

    @property
    def runtime_settings(self) -> RuntimeSettings:
        return self._runtime_settings

    @runtime_settings.setter
    def runtime_settings(self, rs: RuntimeSettings) -> None:
        rs_resolved = self._resolve_runtime_cache(rs)
        if self.engine is not None:
            self._send_to_engine(rs_resolved)
        self._runtime_settings = rs_resolved

    def _resolve_runtime_cache(self, rs: RuntimeSettings) -> RuntimeSettings:
        from ._runtime_cache import RuntimeCache

        rc = rs.runtime_cache
        if not (isinstance(rc, str) and rc):
            if rc is not self._implicit_cache_handle:
                self._set_managed_handle(None)
            return rs.merge(runtime_cache=None) if isinstance(rc, str) else rs
        old = self._implicit_cache_handle
        if old is not None and old.path == rc and self._wrapper_still_attached(old):
            return rs.merge(runtime_cache=old)
        new = RuntimeCache(path=rc, autosave_on_del=True)
        try:
            new.load()
        except Exception as e:
            logger.warning(f"Failed to warm-load implicit runtime cache from {rc!r}: {e}")
        self._set_managed_handle(new)
        return rs.merge(runtime_cache=new)

    def _set_managed_handle(self, new: Optional[Any]) -> None:
        old = self._implicit_cache_handle
        if old is not None and old is not new:
            try:
                old.save()
            except Exception as e:
                logger.warning(f"Failed to save prior implicit runtime cache on swap: {e}")
        self._implicit_cache_handle = new

    def _wrapper_still_attached(self, w: Any) -> bool:
        return True  # the python runtime: always reusable

    def _send_to_engine(self, rs: RuntimeSettings) -> None:
        raise RuntimeError("no TensorRT engine here")

    def setup_engine(self) -> None:
        raise RuntimeError("no TensorRT here: an engine cannot be set up")

    def __getstate__(self) -> dict[str, Any]:
        get_state = getattr(super(), "__getstate__", None)
        state = (get_state() if get_state else self.__dict__).copy()
        state.pop("_runtime_settings", None)
        state.pop("_implicit_cache_handle", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.setdefault("_runtime_settings", RuntimeSettings(runtime_cache=None))
        state.setdefault("_implicit_cache_handle", None)
        set_state = getattr(super(), "__setstate__", None)
        if set_state is not None:
            set_state(state)
        else:
            self.__dict__.update(state)

    def forward(self, *inputs: Any) -> Any:
        raise RuntimeError("no TensorRT here: forward runs torch.ops.tensorrt.execute_engine")
