"""What is under test: a :class:`Target` with one or more :class:`Runtime` s.

A runtime is one implementation of upstream's surface (``RuntimeCache``, the handle
class, the at-exit helper, ``runtime_cache()``, optionally the engine wrapper) plus the
few engine-side operations the contract talks about but that have no public API:
materializing a handle against a runtime config and adding kernel entries to its live
cache (what an engine's forward does). It also says which white-box fields a test may
observe; asking for any other raises :class:`NotObservable`, which the plugin reports
as a skip "not observable", never as a pass.

Runtimes are plain objects with no pytest dependency: child processes use them too.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional

# White-box fields a runtime may let tests observe.
PENDING_BYTES = "pending_bytes"  # bytes stashed before materialization
LIVE_CACHE = "live_cache"  # the materialized cache object (python runtime)
LOCK = "lock"  # the handle's lock object (fresh after unpickling)
ATEXIT_TOKEN = "atexit_token"  # the facade's registered at-exit callable


class TargetError(ValueError):
    """A target string or a target's module could not be resolved."""


class NotObservable(Exception):
    """The target does not expose what a clause needs to look at.

    ``part`` names what is missing (a white-box field such as ``"pending_bytes"``, or
    ``"engine wrapper class"``), ``runtime`` the runtime (pair) id; the plugin records both
    as data. ``NotObservable("text")`` alone still works.
    """

    def __init__(self, message: str, *, part: Optional[str] = None, runtime: Optional[str] = None) -> None:
        super().__init__(message)
        self.message, self.part, self.runtime = message, part, runtime

    def __reduce__(self) -> Any:  # picklable with its keyword fields (xdist, child processes)
        return (_not_observable, (self.message, self.part, self.runtime))


def _not_observable(message: str, part: Optional[str], runtime: Optional[str]) -> NotObservable:
    return NotObservable(message, part=part, runtime=runtime)


class RuntimeUnavailable(Exception):
    """The runtime cannot run here (e.g. no compiler for the C++ extension); ``runtime``
    is its id, for the gate that counts runtimes that could not run."""

    def __init__(self, message: str, *, runtime: Optional[str] = None) -> None:
        super().__init__(message)
        self.runtime = runtime

    def __reduce__(self) -> Any:
        return (_runtime_unavailable, (str(self), self.runtime))


def _runtime_unavailable(message: str, runtime: Optional[str]) -> RuntimeUnavailable:
    return RuntimeUnavailable(message, runtime=runtime)


@dataclass
class Surface:
    """Upstream's names, as one runtime provides them."""

    RuntimeCache: type
    handle_class: Any = None  # python class or torchbind class (None: the target has none)
    autosave_at_exit: Optional[Callable[..., None]] = None
    runtime_cache: Optional[Callable[..., Any]] = None
    wrapper_class: Optional[type] = None  # TorchTensorRTModule stand-in


class Runtime:
    """One runtime of a target. Subclasses fill in :meth:`_load` and the engine ops."""

    #: "python" or "cpp"
    name: str = "python"
    #: white-box fields this runtime lets tests observe
    observes: frozenset[str] = frozenset()
    #: whether ``materialize`` creates its cache from the config it is given (the
    #: python runtime) or from a model of its own (the cpp runtime)
    materializes_with_config: bool = True
    #: whether the surface may carry an engine wrapper (the session-start harness-interface
    #: check loads the surface in the controller only for runtimes that may)
    may_have_wrapper: bool = True
    #: whether the controller checks the wrapper before the run (the reference's and its
    #: mutants' wrapper is this project's, checked by tests/test_engine_wrapper.py: a run
    #: against them imports no torch in an xdist controller)
    check_wrapper_at_start: bool = True

    def __init__(self, target: "Target") -> None:
        self.target = target
        self._surface: Optional[Surface] = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.target.spec}:{self.name}>"

    @property
    def id(self) -> str:
        return self.name if self.target.role == "target" else f"{self.target.role}-{self.name}"

    # -- availability and activation ---------------------------------------------------
    def unavailable_reason(self) -> Optional[str]:
        """``None`` when the runtime can run in this process, else why not."""
        return None

    @property
    def api(self) -> Surface:
        if self._surface is None:
            reason = self.unavailable_reason()
            if reason:
                raise RuntimeUnavailable(reason, runtime=self.id)
            self._surface = self._load()
        return self._surface

    def _load(self) -> Surface:
        raise NotImplementedError

    @contextlib.contextmanager
    def active(self) -> Iterator["Runtime"]:
        """Make this runtime the one the facade picks, for the duration of the block."""
        self.api  # load first, so errors surface here
        yield self

    def activate_process(self) -> None:
        """Make this runtime the process's runtime for good (a child process)."""
        self.api

    # -- engine-side operations ---------------------------------------------------------
    def new_runtime_config(self) -> Any:
        from pytest_trtcache.reference.kernels import RuntimeConfig

        return RuntimeConfig()

    def new_handle(self, path: str = "") -> Any:
        cls = self.api.handle_class
        if cls is None:
            raise NotObservable(f"{self.target.spec}:{self.name} has no handle class", part="handle class", runtime=self.id)
        return cls(path)

    def materialize(self, handle: Any, config: Any = None) -> None:
        """Create the handle's live cache and drain pending bytes (``ensure_materialized``)."""
        handle.ensure_materialized(config if config is not None else self.new_runtime_config())

    def add_kernels(self, handle: Any, entries: dict[bytes, bytes]) -> None:
        """Add kernel entries to a materialized handle's live cache."""
        cache = self.observe(LIVE_CACHE, handle)
        for key, value in entries.items():
            cache.add_entry(key, value)

    def pickle_roundtrip(self, obj: Any) -> Any:
        """Pickle and unpickle ``obj`` as this runtime's objects cross processes."""
        import pickle

        return pickle.loads(pickle.dumps(obj))

    def owns(self, handle: Any) -> bool:
        """Whether ``handle`` is one of this runtime's handles (a handle pickle pins its class)."""
        cls = self.api.handle_class
        return isinstance(cls, type) and isinstance(handle, cls)

    def handle_of(self, cache: Any) -> Any:
        """The handle inside a facade."""
        return cache._handle

    # -- observation --------------------------------------------------------------------
    def observe(self, what: str, handle: Any) -> Any:
        if what not in self.observes:
            raise NotObservable(f"{self.target.spec}:{self.name} does not expose {what!r}", part=what, runtime=self.id)
        try:
            return self._observe(what, handle)
        except NotObservable as exc:  # a runtime's own refusal: say what and where as data
            exc.part, exc.runtime = exc.part or what, exc.runtime or self.id
            raise

    def _observe(self, what: str, handle: Any) -> Any:
        raise NotObservable(f"{self.target.spec}:{self.name} does not expose {what!r}")


@dataclass
class Target:
    """An implementation under test: a spec string and its runtimes by name."""

    spec: str
    runtimes: dict[str, Runtime] = field(default_factory=dict)
    description: str = ""
    role: str = "target"  # "target" or "peer"
    versions: dict[str, str] = field(default_factory=dict)

    def owner_of(self, handle: Any) -> Optional[Runtime]:
        """The available runtime whose handle ``handle`` is, if any."""
        for runtime in self.runtimes.values():
            if runtime.unavailable_reason() is None and runtime.owns(handle):
                return runtime
        return None

    def runtime(self, name: str) -> Runtime:
        try:
            return self.runtimes[name]
        except KeyError:
            raise TargetError(f"target {self.spec!r} has no runtime {name!r} (it has: {', '.join(self.runtimes)})") from None


def bytes_of(tensor: Any) -> bytes:
    """A uint8 tensor's bytes (any layout, any device)."""
    from pytest_trtcache.reference.handle import raw_bytes

    return raw_bytes(tensor)


def tensor_of(data: bytes) -> Any:
    import torch

    return torch.frombuffer(bytearray(data), dtype=torch.uint8) if data else torch.empty(0, dtype=torch.uint8)


def layout_of(blob: bytes, layout: str) -> Any:
    """``blob`` as a uint8 tensor of the given memory layout (same bytes, H8):
    ``contiguous``, ``empty`` (no bytes at all), ``non-contiguous``, ``sliced``, ``2-d``,
    ``transposed-2-d``."""
    import torch

    base = tensor_of(blob)
    if layout == "empty":
        return tensor_of(b"")
    if layout == "non-contiguous":
        strided = torch.zeros(2 * len(blob), dtype=torch.uint8)
        strided[::2] = base
        return strided[::2]
    if layout == "sliced":
        return torch.cat([torch.tensor([7, 7], dtype=torch.uint8), base, torch.tensor([9], dtype=torch.uint8)])[2:-1]
    if layout == "2-d":
        return base.reshape(1, -1)
    if layout == "transposed-2-d":
        return base.reshape(-1, 1).t()
    return base
