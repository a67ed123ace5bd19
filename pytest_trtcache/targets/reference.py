"""The ``reference`` target: this project's fixed cache, python runtime (and cpp)."""

from __future__ import annotations

import contextlib
import importlib
from typing import Any, Iterator, Optional

from .base import ATEXIT_TOKEN, PENDING_BYTES, NotObservable, Runtime, Surface, Target, bytes_of, tensor_of
from .upstream_shaped import UpstreamShapedPython, surface_of


class _ReferenceFeatures:
    """The reference's runtimes share one module: its feature flags say which runtime a
    test (``active``) or a child process (``activate_process``) runs."""

    name: str

    @contextlib.contextmanager
    def active(self) -> Iterator[Runtime]:
        from pytest_trtcache.reference.features import use_runtime

        self.api
        with use_runtime(self.name):
            yield self

    def activate_process(self) -> None:
        from pytest_trtcache.reference.features import ENABLED_FEATURES

        self.api
        ENABLED_FEATURES.runtime = self.name


class ReferencePython(_ReferenceFeatures, UpstreamShapedPython):
    """The reference python runtime, or a mutant of it (``package`` names the module)."""

    check_wrapper_at_start = False  # this project's wrapper (see Runtime.check_wrapper_at_start)

    def __init__(self, target: Target, package: str = "pytest_trtcache.reference") -> None:
        super().__init__(target, lambda: importlib.import_module(package))


class ReferenceCpp(_ReferenceFeatures, Runtime):
    """The reference cpp runtime: the torchbind handle built from ``reference/csrc``.

    The facade, wrapper and at-exit helper are the package's own (``package`` names the
    reference or a mutant module); the handle is the C++ build variant that the package's
    ``RuntimeCache.cpp_variant`` names. White-box: pending bytes through the handle's
    ``pending_bytes()`` accessor, the facade's ``_atexit_token``.
    """

    name = "cpp"
    observes = frozenset({PENDING_BYTES, ATEXIT_TOKEN})
    materializes_with_config = False  # the C++ handle materializes against its own model

    def owns(self, handle: Any) -> bool:
        import torch

        from pytest_trtcache.reference import cpp

        if not isinstance(handle, torch.ScriptObject):
            return False
        return handle._type().qualified_name() == f"__torch__.torch.classes.{cpp.namespace(self.variant)}.{cpp.CLASS_NAME}"

    def __init__(self, target: Target, package: str = "pytest_trtcache.reference") -> None:
        super().__init__(target)
        self._package = package

    def _module(self) -> Any:
        return importlib.import_module(self._package)

    @property
    def variant(self) -> str:
        return getattr(self._module().RuntimeCache, "cpp_variant", "")

    def unavailable_reason(self) -> Optional[str]:
        from pytest_trtcache.reference import cpp

        return cpp.unavailable_reason(self.variant)

    def _load(self) -> Surface:
        from pytest_trtcache.reference import cpp

        surface = surface_of(self._module(), what=self.target.spec)
        surface.handle_class = cpp.handle_class(self.variant)
        return surface


    def materialize(self, handle: Any, config: Any = None) -> None:
        from pytest_trtcache.reference import cpp

        cpp.materialize(handle)  # the C++ model makes its own live cache; config is unused

    def add_kernels(self, handle: Any, entries: dict[bytes, bytes]) -> None:
        for key, value in entries.items():
            handle.add_entry(key.decode(), tensor_of(value))

    def _observe(self, what: str, obj: Any) -> Any:
        if what == PENDING_BYTES:
            if not hasattr(obj, "pending_bytes"):
                raise NotObservable(f"{self.target.spec}:{self.name}: {type(obj).__name__} has no pending_bytes() ({what})")
            # the python handle's shape: the stashed bytes, or None when nothing is pending
            return bytes_of(obj.pending_bytes()) or None
        if what == ATEXIT_TOKEN:
            if not hasattr(obj, "_atexit_token"):
                raise NotObservable(f"{self.target.spec}:{self.name}: {type(obj).__name__} has no '_atexit_token' ({what})")
            return obj._atexit_token
        return super()._observe(what, obj)


def reference_target(spec: str = "reference", package: str = "pytest_trtcache.reference", description: str = "") -> Target:
    target = Target(spec=spec, description=description or "the project's reference implementation")
    target.runtimes["python"] = ReferencePython(target, package)
    target.runtimes["cpp"] = ReferenceCpp(target, package)  # listed even when unavailable here
    return target
