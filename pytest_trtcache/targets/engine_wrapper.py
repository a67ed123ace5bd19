"""What the harness calls on a target's engine wrapper (``TorchTensorRTModule``) and its
``RuntimeSettings``: upstream torch-tensorrt 2.14.0's interface, nothing of this project's.

The harness builds a wrapper the way upstream's own tests do and configures it through
the ``runtime_settings`` property, with ``RuntimeSettings`` keyword arguments::

    module = TorchTensorRTModule(None, name="engine")          # serialized_engine first, name keyword-only
    module.runtime_settings = RuntimeSettings(runtime_cache=None)
    module.runtime_settings = RuntimeSettings(runtime_cache=path, dynamic_shapes_kernel_specialization_strategy="eager")
    module.runtime_settings.runtime_cache                      # the engine-implicit RuntimeCache

The harness has no TensorRT engine, so it passes ``serialized_engine=None`` and never
calls ``forward``: it plays TensorRT itself. Where an engine's forward would compile
kernels into the cache its settings carry, the harness adds
``pytest_trtcache.reference.kernels.kernel_entry(module.name, shape)`` entries to
``module.runtime_settings.runtime_cache`` through the runtime (``handle_of``,
``materialize``, ``add_kernels``), as for any facade.

A wrapper or settings class that lacks a name or keyword of :data:`INTERFACE` is a
:class:`HarnessInterfaceError`: the target cannot be driven, which is a usage problem of
the run, never a clause violation. ``check`` finds it before any test runs; every use
raises it too. ``docs/targets.md`` lists :data:`INTERFACE` (``tests/test_engine_wrapper.py``
keeps the two in step).
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import tempfile
from typing import Any, Iterable, Optional

from .base import TargetError

#: the wrapper's constructor parameters the harness passes, in upstream's order and kind
SERIALIZED_ENGINE = "serialized_engine"
NAME = "name"
#: the settings' fields the harness passes as keyword arguments
RUNTIME_CACHE = "runtime_cache"
STRATEGY = "dynamic_shapes_kernel_specialization_strategy"
#: the strategy the harness's engines run with (upstream's values: lazy, eager, none)
ENGINE_STRATEGY = "eager"

#: every name, call and attribute the harness uses on a wrapper and its settings
#: (docs/targets.md, "What the harness calls", lists each of these lines)
INTERFACE = (
    "TorchTensorRTModule(serialized_engine, ..., *, name)",
    "TorchTensorRTModule.runtime_settings",
    "RuntimeSettings(runtime_cache=..., dynamic_shapes_kernel_specialization_strategy=...)",
    "RuntimeSettings.runtime_cache",
    "TorchTensorRTModule._runtime_settings",
    "TorchTensorRTModule._implicit_cache_handle",
    "TorchTensorRTModule.__getstate__",
)


class HarnessInterfaceError(TargetError):
    """A target's wrapper or settings lack what the harness calls (a usage problem)."""


def _fail(where: str, what: str) -> HarnessInterfaceError:
    return HarnessInterfaceError(
        f"harness interface: {where}: {what}. The harness calls upstream torch-tensorrt 2.14.0's interface "
        "(docs/targets.md, 'What the harness calls')"
    )


def _where(runtime: Any, cls: Any = None) -> str:
    owner = f"{runtime.target.spec}:{runtime.name}"
    return f"{owner} {getattr(cls, '__qualname__', cls)}" if cls is not None else owner


def signature_problem(cls: type) -> Optional[str]:
    """Why ``cls(None, name=...)`` does not bind as upstream's constructor, if it does not."""
    try:
        params = list(inspect.signature(cls).parameters.values())
    except (TypeError, ValueError) as exc:
        return f"its constructor has no signature to check ({exc})"
    names = ", ".join(p.name for p in params) or "none"
    if params and params[0].kind is params[0].VAR_POSITIONAL:
        return None  # (*args, **kwargs), e.g. a subclass forwarding to upstream's: the call itself tells
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if not positional or positional[0].name != SERIALIZED_ENGINE:
        return f"__init__'s first parameter is not {SERIALIZED_ENGINE!r} (its parameters: {names})"
    by_name = {p.name: p for p in params}
    takes_kwargs = any(p.kind is p.VAR_KEYWORD for p in params)
    if NAME not in by_name and not takes_kwargs:
        return f"__init__ has no keyword parameter {NAME!r} (its parameters: {names})"
    if NAME in by_name and by_name[NAME].kind is by_name[NAME].POSITIONAL_ONLY:
        return f"__init__'s {NAME!r} is positional-only; the harness passes it by keyword"
    return None


def _settings_class(runtime: Any, module: Any) -> type:
    cls = type(module)
    if not isinstance(inspect.getattr_static(cls, "runtime_settings", None), property):
        raise _fail(_where(runtime, cls), "has no 'runtime_settings' property (getter and setter)")
    if inspect.getattr_static(cls, "runtime_settings").fset is None:
        raise _fail(_where(runtime, cls), "'runtime_settings' has no setter")
    settings = type(module.runtime_settings)
    if not dataclasses.is_dataclass(settings):
        raise _fail(_where(runtime, settings), "runtime_settings is not a dataclass (upstream's RuntimeSettings is a frozen dataclass)")
    fields = {f.name for f in dataclasses.fields(settings)}
    missing = [f for f in (RUNTIME_CACHE, STRATEGY) if f not in fields]
    if missing:
        raise _fail(_where(runtime, settings), f"has no field {', '.join(map(repr, missing))} (its fields: {', '.join(sorted(fields))})")
    return settings


def settings(runtime: Any, module: Any, **fields: Any) -> Any:
    """``RuntimeSettings(**fields)`` of the module's settings class, as upstream's tests build one."""
    cls = _settings_class(runtime, module)
    try:
        return cls(**fields)
    except TypeError as exc:
        raise _fail(_where(runtime, cls), f"RuntimeSettings({', '.join(f'{k}=...' for k in fields)}) raised TypeError: {exc}") from None


def new_wrapper(runtime: Any, name: str = "engine") -> Any:
    """A wrapper with no engine and no cache: ``TorchTensorRTModule(None, name=name)``, then
    ``runtime_settings = RuntimeSettings(runtime_cache=None)`` (upstream's default is a
    per-user file, which the harness must never touch)."""
    cls = runtime.api.wrapper_class
    if cls is None:  # a partial target: the callers' clauses are not observable
        from .base import NotObservable

        raise NotObservable(f"{_where(runtime)} has no engine wrapper (TorchTensorRTModule)", part="engine wrapper class", runtime=runtime.id)
    problem = signature_problem(cls)
    if problem:
        raise _fail(_where(runtime, cls), problem)
    try:
        module = cls(None, name=name)
    except TypeError as exc:
        raise _fail(_where(runtime, cls), f"{cls.__qualname__}(None, name={name!r}) raised TypeError: {exc}") from None
    module.runtime_settings = settings(runtime, module, **{RUNTIME_CACHE: None})
    return module


def attach_path(runtime: Any, module: Any, path: str) -> Any:
    """Give the wrapper a path-valued cache; return the engine-implicit cache it resolves to."""
    module.runtime_settings = settings(runtime, module, **{RUNTIME_CACHE: path, STRATEGY: ENGINE_STRATEGY})
    return cache_of(runtime, module)


def cache_of(runtime: Any, module: Any) -> Any:
    """The ``RuntimeCache`` the wrapper's settings carry (upstream resolves a path to one)."""
    rc = getattr(module.runtime_settings, RUNTIME_CACHE)
    if not isinstance(rc, runtime.api.RuntimeCache):
        raise _fail(
            _where(runtime, type(module)),
            f"after runtime_settings = RuntimeSettings(runtime_cache=<path>), runtime_settings.runtime_cache is "
            f"{type(rc).__name__} {rc!r}, not the engine-implicit {runtime.api.RuntimeCache.__qualname__} "
            "(upstream's setter resolves a path to the RuntimeCache it owns)",
        )
    return rc


def run_engine(runtime: Any, module: Any, shapes: Iterable[Iterable[int]]) -> None:
    """What TensorRT does while the wrapper's engine runs, one forward per shape: materialize
    the cache the settings carry and compile a kernel into it (``kernel_entry``)."""
    from pytest_trtcache.reference.kernels import kernel_entry

    handle = runtime.handle_of(cache_of(runtime, module))
    runtime.materialize(handle)
    runtime.add_kernels(handle, dict(kernel_entry(module.name, tuple(shape)) for shape in shapes))


def loaded_settings(runtime: Any, module: Any) -> Any:
    """What a loaded wrapper's settings must equal (W2): the defaults with no cache,
    ``RuntimeSettings(runtime_cache=None)``, as upstream's ``__setstate__`` restores."""
    return settings(runtime, module, **{RUNTIME_CACHE: None})


def check(runtime: Any) -> None:
    """Drive one wrapper of ``runtime`` through every call of :data:`INTERFACE` in a scratch
    directory; raise :class:`HarnessInterfaceError` naming the first that fails."""
    if runtime.api.wrapper_class is None:
        return  # a partial target: targets/parts.py names what that leaves unobserved
    module = new_wrapper(runtime, "interface-check")
    for attr in ("_runtime_settings", "_implicit_cache_handle"):
        if not hasattr(module, attr):
            raise _fail(_where(runtime, type(module)), f"a new wrapper has no attribute {attr!r}")
    if not callable(getattr(module, "__getstate__", None)):
        raise _fail(_where(runtime, type(module)), "has no __getstate__")
    with tempfile.TemporaryDirectory(prefix="trtcache-interface-") as scratch:
        try:
            attach_path(runtime, module, os.path.join(scratch, "cache.bin"))
        finally:
            # whatever the wrapper built there must not autosave into the scratch directory later
            implicit = getattr(module, "_implicit_cache_handle", None)
            if implicit is not None:
                implicit.autosave_on_del = False
        module.runtime_settings = settings(runtime, module, **{RUNTIME_CACHE: None})
