"""The ``reference`` target: this project's fixed cache, python runtime (and cpp)."""

from __future__ import annotations

import contextlib
import importlib
from typing import Any, Iterator

from .base import Runtime, Surface, Target
from .upstream_shaped import UpstreamShapedPython, surface_of


class ReferencePython(UpstreamShapedPython):
    """The reference python runtime, or a mutant of it (``package`` names the module)."""

    def __init__(self, target: Target, package: str = "pytest_trtcache.reference") -> None:
        super().__init__(target, lambda: importlib.import_module(package))

    @contextlib.contextmanager
    def active(self) -> Iterator[Runtime]:
        from pytest_trtcache.reference.features import use_runtime

        self.api
        with use_runtime("python"):
            yield self

    def activate_process(self) -> None:
        from pytest_trtcache.reference.features import ENABLED_FEATURES

        self.api
        ENABLED_FEATURES.runtime = "python"


def reference_target(spec: str = "reference", package: str = "pytest_trtcache.reference", description: str = "") -> Target:
    target = Target(spec=spec, description=description or "the project's reference implementation")
    target.runtimes["python"] = ReferencePython(target, package)
    return target
