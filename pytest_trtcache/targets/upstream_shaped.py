"""A python runtime over any module laid out like upstream's ``_runtime_cache.py``.

Upstream's names: ``RuntimeCache``, ``_RuntimeCacheHandle``, ``_autosave_at_exit``,
``runtime_cache`` and, optionally, an engine wrapper ``TorchTensorRTModule``. White-box
fields are read by upstream's attribute names (``_pending_warm_bytes``, ``_cache``,
``_lock``, ``_atexit_token``); an object that lacks one makes the field not observable.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

from .base import ATEXIT_TOKEN, LIVE_CACHE, LOCK, PENDING_BYTES, NotObservable, Runtime, Surface, TargetError

# Only the facade is needed to run at all; a module without one of the others is a
# partial target: the clauses that need it are not observable (targets/parts.py).
REQUIRED_NAMES = ("RuntimeCache",)
_FIELDS = {PENDING_BYTES: "_pending_warm_bytes", LIVE_CACHE: "_cache", LOCK: "_lock", ATEXIT_TOKEN: "_atexit_token"}


def surface_of(module: ModuleType, *, wrapper_class: Any = None, what: str = "") -> Surface:
    missing = [name for name in REQUIRED_NAMES if not hasattr(module, name)]
    if missing:
        raise TargetError(f"{what or module.__name__}: module {module.__name__!r} lacks upstream name(s) {', '.join(missing)} (expected {', '.join(REQUIRED_NAMES)})")
    return Surface(
        RuntimeCache=module.RuntimeCache,
        handle_class=getattr(module, "_RuntimeCacheHandle", None),
        autosave_at_exit=getattr(module, "_autosave_at_exit", None),
        runtime_cache=getattr(module, "runtime_cache", None),
        wrapper_class=wrapper_class if wrapper_class is not None else getattr(module, "TorchTensorRTModule", None),
    )


class UpstreamShapedPython(Runtime):
    """Python runtime of a target whose module has upstream's names."""

    name = "python"
    observes = frozenset(_FIELDS)

    def __init__(self, target: Any, load_module: Callable[[], ModuleType]) -> None:
        super().__init__(target)
        self._load_module = load_module

    def _load(self) -> Surface:
        return surface_of(self._load_module(), what=self.target.spec)

    def _observe(self, what: str, obj: Any) -> Any:
        attr = _FIELDS[what]
        if not hasattr(obj, attr):
            raise NotObservable(f"{self.target.spec}:{self.name}: {type(obj).__name__} has no {attr!r} ({what})")
        return getattr(obj, attr)
