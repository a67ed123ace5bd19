"""Load upstream's ``torch_tensorrt/runtime/_runtime_cache.py`` without the rest of
torch_tensorrt (whose import needs TensorRT's libraries, which cannot be installed here).

The module does ``import torch_tensorrt`` and reads
``torch_tensorrt.ENABLED_FEATURES.torch_tensorrt_runtime``; ``runtime_cache().__enter__``
imports ``torch_tensorrt.dynamo.runtime._TorchTensorRTModule.TorchTensorRTModule`` and
``torch_tensorrt.runtime._runtime_config.runtime_config``. The shim puts a synthetic
``torch_tensorrt`` package in ``sys.modules`` supplying exactly those names, with
``torch_tensorrt.runtime.__path__`` pointing at the extracted sources, so the module
imports under its real name ``torch_tensorrt.runtime._runtime_cache`` and pickles
reference it by that name in every process that installs the same shim.
"""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType, SimpleNamespace
from typing import Any

from .base import TargetError

PACKAGE = "torch_tensorrt"
MODULE = "torch_tensorrt.runtime._runtime_cache"
#: set on the synthetic package; its value names the sources it serves
MARK = "__trtcache_shim__"


def _wrapper_class(cache_class_getter: Any) -> type:
    """The reference engine wrapper (upstream 2.14.0's signatures and settings) whose
    engine-implicit cache is upstream's ``RuntimeCache``."""
    from pytest_trtcache.reference.module import TorchTensorRTModule as Reference

    class TorchTensorRTModule(Reference):
        """Stand-in engine wrapper (the real one needs TensorRT): reference semantics,
        upstream's ``RuntimeCache`` for the engine-implicit cache."""

        @property
        def cache_class(self) -> type:  # type: ignore[override]
            return cache_class_getter()

    # Pickles (torch.save of a wrapper) name it by its shimmed module path.
    TorchTensorRTModule.__module__ = "torch_tensorrt.dynamo.runtime._TorchTensorRTModule"
    TorchTensorRTModule.__qualname__ = "TorchTensorRTModule"
    return TorchTensorRTModule


class _RuntimeConfigCM:
    """Upstream's ``runtime_config(targets, runtime_cache=...)``: set the setting on every
    engine wrapper under the targets; restore the previous settings on exit."""

    def __init__(self, targets: Any, **settings: Any) -> None:
        self._targets = targets if isinstance(targets, (list, tuple)) else [targets]
        self._settings = settings
        self._previous: list[tuple[Any, Any]] = []

    def __enter__(self) -> "_RuntimeConfigCM":
        wrapper = sys.modules["torch_tensorrt.dynamo.runtime._TorchTensorRTModule"].TorchTensorRTModule
        for target in self._targets:
            for module in target.modules():
                if isinstance(module, wrapper):
                    self._previous.append((module, module.runtime_settings))
                    module.runtime_settings = module.runtime_settings.merge(**self._settings)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        for module, settings in reversed(self._previous):
            module.runtime_settings = settings
        self._previous.clear()


def _package(name: str, path: list[str] | None = None) -> ModuleType:
    module = ModuleType(name)
    module.__path__ = path or []  # a package: submodules resolve through __path__
    module.__package__ = name
    return module


def install(source_root: str, label: str) -> ModuleType:
    """Install the shim for the sources under ``source_root`` and import the module.

    Idempotent for the same ``source_root``; refuses a real ``torch_tensorrt`` and a
    shim of other sources (one upstream version per process: the module name is fixed).
    """
    present = sys.modules.get(PACKAGE)
    if present is not None:
        mark = getattr(present, MARK, None)
        if mark is None:
            raise TargetError(
                f"{label}: a real torch_tensorrt is already imported in this process "
                f"({getattr(present, '__file__', '?')}); the wheel shim would shadow it. "
                "Use --trtcache-target=torch_tensorrt to test the installed package."
            )
        if mark != source_root:
            raise TargetError(f"{label}: this process already loaded upstream sources from {mark}; one wheel version per process")
        return importlib.import_module(MODULE)
    runtime_dir = os.path.join(source_root, PACKAGE, "runtime")
    if not os.path.isfile(os.path.join(runtime_dir, "_runtime_cache.py")):
        raise TargetError(f"{label}: {runtime_dir} has no _runtime_cache.py")

    root = _package(PACKAGE)
    setattr(root, MARK, source_root)
    # Python runtime only: the C++ library is not loaded, as upstream decides it.
    root.ENABLED_FEATURES = SimpleNamespace(torch_tensorrt_runtime=False)
    runtime = _package(f"{PACKAGE}.runtime", [runtime_dir])
    config = ModuleType(f"{PACKAGE}.runtime._runtime_config")
    config.runtime_config = _RuntimeConfigCM
    dynamo = _package(f"{PACKAGE}.dynamo")
    dynamo_runtime = _package(f"{PACKAGE}.dynamo.runtime")
    wrapper_module = ModuleType(f"{PACKAGE}.dynamo.runtime._TorchTensorRTModule")
    wrapper_module.TorchTensorRTModule = _wrapper_class(lambda: sys.modules[MODULE].RuntimeCache)
    root.runtime, runtime._runtime_config = runtime, config
    root.dynamo, dynamo.runtime, dynamo_runtime._TorchTensorRTModule = dynamo, dynamo_runtime, wrapper_module
    for module in (root, runtime, config, dynamo, dynamo_runtime, wrapper_module):
        sys.modules[module.__name__] = module
    try:
        return importlib.import_module(MODULE)
    except Exception as exc:
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]
        raise TargetError(f"{label}: importing {MODULE} from {runtime_dir} failed: {type(exc).__name__}: {exc}") from exc


def wrapper_class() -> type:
    return sys.modules["torch_tensorrt.dynamo.runtime._TorchTensorRTModule"].TorchTensorRTModule
