"""``torch_tensorrt``: the installed Torch-TensorRT package.

Two runtimes, as upstream's facade picks them: ``cpp`` (the torchbind
``torch.classes.tensorrt.RuntimeCacheHandle``, present when ``__init__`` loaded the C++
library) and ``python`` (``_RuntimeCacheHandle``). Upstream's ``RuntimeCache`` reads
``torch_tensorrt.ENABLED_FEATURES.torch_tensorrt_runtime`` at construction, so in one
process the runtimes are switched by swapping that field on the package.

A python-only *process* (the production configuration without the C++ library) is
chosen with ``TRTCACHE_TORCH_TENSORRT_RUNTIME=python`` before torch_tensorrt is
imported: ``torch.ops.load_library`` skips libraries inside the package for the
duration of the import, and ``ENABLED_FEATURES`` says the runtime is absent. No
installed file is renamed or moved (upstream's own cross-runtime test renames the
``.so`` inside site-packages, which races under pytest-xdist).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import sys
from typing import Any, Iterator, Optional

from .base import Runtime, RuntimeUnavailable, Surface, NotObservable, Target, TargetError
from .upstream_shaped import UpstreamShapedPython, surface_of

ENV = "TRTCACHE_TORCH_TENSORRT_RUNTIME"
PROCESS_MODES = ("", "python")


def process_mode() -> str:
    mode = os.environ.get(ENV, "").strip()
    if mode not in PROCESS_MODES:
        raise TargetError(f"{ENV}={mode!r}: expected 'python' (python-only process) or unset")
    return mode


@contextlib.contextmanager
def _library_load_blocked(package_dirs: list[str]) -> Iterator[list[str]]:
    """``torch.ops.load_library`` skips (and records) libraries under ``package_dirs``."""
    import torch

    blocked: list[str] = []
    original = torch.ops.load_library
    roots = [os.path.realpath(d) + os.sep for d in package_dirs]

    def load_library(path: str) -> None:
        if any(os.path.realpath(path).startswith(root) for root in roots):
            blocked.append(path)
            return
        original(path)

    torch.ops.load_library = load_library
    try:
        yield blocked
    finally:
        torch.ops.load_library = original


def _without_runtime(features: Any) -> Any:
    return features._replace(torch_tensorrt_runtime=False) if hasattr(features, "_replace") else type(features)(**{**vars(features), "torch_tensorrt_runtime": False})


def load_package() -> Any:
    """Import torch_tensorrt in this process's mode; raise :class:`RuntimeUnavailable`."""
    module = sys.modules.get("torch_tensorrt")
    if module is not None:
        if getattr(module, "__trtcache_shim__", None):
            raise RuntimeUnavailable("this process loaded a wheel: target's import shim as torch_tensorrt; the installed package cannot be imported beside it")
        return module
    spec = importlib.util.find_spec("torch_tensorrt")
    if spec is None:
        raise RuntimeUnavailable("torch_tensorrt is not installed")
    try:
        if process_mode() == "python":
            with _library_load_blocked(list(spec.submodule_search_locations or [])):
                module = importlib.import_module("torch_tensorrt")
            module._trtcache_python_only = True
            features = _without_runtime(module.ENABLED_FEATURES)
            module.ENABLED_FEATURES = features
            if "torch_tensorrt._features" in sys.modules:
                sys.modules["torch_tensorrt._features"].ENABLED_FEATURES = features
        else:
            module = importlib.import_module("torch_tensorrt")
    except ImportError as exc:
        raise RuntimeUnavailable(f"import torch_tensorrt failed: {type(exc).__name__}: {exc}") from exc
    return module


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("torch-tensorrt")
    except metadata.PackageNotFoundError:
        return "not installed"


@contextlib.contextmanager
def _features(runtime_enabled: bool) -> Iterator[None]:
    package = load_package()
    previous = package.ENABLED_FEATURES
    package.ENABLED_FEATURES = previous._replace(torch_tensorrt_runtime=runtime_enabled) if hasattr(previous, "_replace") else previous
    try:
        yield
    finally:
        package.ENABLED_FEATURES = previous


class TorchTensorRTPython(UpstreamShapedPython):
    may_have_wrapper = False  # the real TorchTensorRTModule needs engines (not observable)

    def __init__(self, target: Target) -> None:
        super().__init__(target, lambda: (load_package(), importlib.import_module("torch_tensorrt.runtime._runtime_cache"))[1])

    def _load(self) -> Surface:
        # The real wrapper needs TensorRT engines; wrapper clauses are not observable.
        return surface_of(self._load_module(), wrapper_class=None, what=self.target.spec)

    @contextlib.contextmanager
    def active(self) -> Iterator[Runtime]:
        self.api
        with _features(False):
            yield self

    def activate_process(self) -> None:
        os.environ[ENV] = "python"
        self.api
        package = sys.modules["torch_tensorrt"]
        package.ENABLED_FEATURES = _without_runtime(package.ENABLED_FEATURES)


class TorchTensorRTCpp(Runtime):
    """The torchbind handle. Materializing it needs a TensorRT engine (its
    ``ensure_materialized`` is not registered with torchbind), so the engine-side
    operations are not observable from python."""

    name = "cpp"
    materializes_with_config = False

    def unavailable_reason(self) -> Optional[str]:
        try:
            package = load_package()
        except RuntimeUnavailable as exc:
            return str(exc)
        if getattr(package, "_trtcache_python_only", False):
            return f"this process is python-only ({ENV}=python): the C++ library was not loaded"
        import torch

        try:
            torch.classes.tensorrt.RuntimeCacheHandle
        except (AttributeError, RuntimeError):
            return "torch.classes.tensorrt.RuntimeCacheHandle is not registered (torch_tensorrt's C++ library did not load)"
        return None

    def _load(self) -> Surface:
        import torch

        module = importlib.import_module("torch_tensorrt.runtime._runtime_cache")
        surface = surface_of(module, wrapper_class=None, what=self.target.spec)
        surface.handle_class = torch.classes.tensorrt.RuntimeCacheHandle
        return surface

    @contextlib.contextmanager
    def active(self) -> Iterator[Runtime]:
        self.api
        with _features(True):
            yield self

    def materialize(self, handle: Any, config: Any = None) -> None:
        raise NotObservable(f"{self.target.spec}:cpp: materializing a torchbind handle needs a TensorRT engine")

    def add_kernels(self, handle: Any, entries: dict[bytes, bytes]) -> None:
        raise NotObservable(f"{self.target.spec}:cpp: adding kernels needs a TensorRT engine")


def _installed() -> bool:
    if "torch_tensorrt" in sys.modules:
        return True
    return importlib.util.find_spec("torch_tensorrt") is not None


def torch_tensorrt_target(spec: str = "torch_tensorrt") -> Target:
    if not _installed():
        raise TargetError(f"target {spec!r}: torch_tensorrt is not installed (try wheel:torch-tensorrt==<version> for its python sources)")
    process_mode()
    target = Target(spec=spec, description="the installed torch_tensorrt package")
    target.versions["torch-tensorrt"] = _version()
    target.runtimes["cpp"] = TorchTensorRTCpp(target)
    target.runtimes["python"] = TorchTensorRTPython(target)
    return target
