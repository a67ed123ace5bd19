"""Recorders of what the autosave clauses count: the at-exit registry and a facade's saves.

Shared by the conformance suite's fixtures (``atexit_spy``, ``save_counter``) and the
lifecycle machines. A recorder takes a callable over for a window (a context manager)
and never calls through to the real one for registrations: a hook captured while a test
or an example runs must not also run when the real interpreter exits.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import gc
import threading
import weakref
from typing import Any, Callable, Iterator, NamedTuple, Optional


def refers_to(entry: Any, obj: Any, depth: int = 5) -> bool:
    """Whether ``entry`` reaches ``obj`` (or a weakref to it) within ``depth`` referents.

    Other libraries register their own at-exit hooks while a test runs (torch, filelock
    import lazily); a hook is the facade's when it leads to the facade, whatever its
    shape (partial over a weakref, bound method, closure).
    """
    frontier, seen = [entry], set()
    for _ in range(depth + 1):
        following = []
        for item in frontier:
            if item is obj or (isinstance(item, weakref.ref) and item() is obj):
                return True
            if id(item) in seen or isinstance(item, (type, type(gc))):
                continue
            seen.add(id(item))
            following.extend(gc.get_referents(item))
        frontier = following
    return False


class Hook(NamedTuple):
    """One ``atexit.register(func, *args, **kwargs)``; calling it runs the hook."""

    func: Callable[..., Any]
    args: tuple
    kwargs: dict

    def __call__(self) -> Any:
        return self.func(*self.args, **self.kwargs)


class AtexitRecorder:
    """Takes ``atexit.register``/``unregister`` over for a window, into a private registry.

    ``hooks`` is what the real registry would hold now; ``registered`` keeps every
    registration in order, ``unregistered`` every ``unregister()`` argument. :meth:`fire`
    runs the live hooks as interpreter shutdown would (last registered first, then the
    registry is empty).
    """

    def __init__(self) -> None:
        self.hooks: list[Hook] = []
        self.registered: list[Hook] = []
        self.unregistered: list[Callable[..., Any]] = []
        self.errors: list[str] = []
        self._saved: Optional[tuple[Any, Any]] = None
        self._real_count: Optional[int] = None

    def register(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[..., Any]:
        hook = Hook(func, args, kwargs)
        self.hooks.append(hook)
        self.registered.append(hook)
        return func

    def unregister(self, func: Callable[..., Any]) -> None:
        # atexit.unregister removes every entry whose function compares equal to func.
        self.unregistered.append(func)
        self.hooks = [h for h in self.hooks if h.func != func]

    @property
    def live(self) -> list[Hook]:
        return self.hooks

    def funcs(self) -> list[Callable[..., Any]]:
        return [h.func for h in self.hooks]

    def registered_for(self, obj: Any) -> list[Hook]:
        """Every registration that leads to ``obj``."""
        return [hook for hook in self.registered if refers_to(hook, obj)]

    def fire(self) -> None:
        hooks, self.hooks = self.hooks, []
        for hook in reversed(hooks):
            try:
                hook()
            except Exception as exc:  # the real registry prints it as "Exception ignored"
                self.errors.append(f"{hook.func!r}: {type(exc).__name__}: {exc}")

    def real_count(self) -> Optional[int]:
        counter = getattr(atexit, "_ncallbacks", None)
        return counter() if counter is not None else None

    def real_registrations(self) -> int:
        """Hooks that reached the real registry anyway (a target that bound ``register`` early)."""
        now = self.real_count()
        return 0 if now is None or self._real_count is None else now - self._real_count

    def __enter__(self) -> "AtexitRecorder":
        self._saved = (atexit.register, atexit.unregister)
        self._real_count = self.real_count()
        atexit.register, atexit.unregister = self.register, self.unregister  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._saved is not None:
            atexit.register, atexit.unregister = self._saved  # type: ignore[assignment]
            self._saved = None


class SaveRecorder:
    """Wraps ``save`` of a facade class for a window and records its outermost calls (a
    ``save`` that calls ``save`` again is one save), by who made them.

    ``calls`` holds ``(label, explicit)``: ``label_of(facade)`` names the facade at call
    time (during ``__del__`` the object is still alive, so its id is still the one the
    machine recorded); ``explicit`` is whether the call came inside :meth:`by_machine`.
    With ``fail_with``, every call raises it instead of saving.
    """

    def __init__(self, cls: type, label_of: Callable[[Any], str] = lambda facade: "", fail_with: Optional[BaseException] = None) -> None:
        self.cls = cls
        self.label_of = label_of
        self.fail_with = fail_with
        self.calls: list[tuple[str, bool]] = []
        self.explicit = False
        self._local = threading.local()  # call depth per thread: S5's rule saves from several
        self._had_own = "save" in vars(cls)
        self._original = cls.save

    @property
    def count(self) -> int:
        return len(self.calls)

    @contextlib.contextmanager
    def by_machine(self) -> Iterator[None]:
        """Saves in this block are the machine's own (explicit), not counted as autosaves."""
        self.explicit = True
        try:
            yield
        finally:
            self.explicit = False

    def __enter__(self) -> "SaveRecorder":
        original, recorder = self._original, self

        @functools.wraps(original)
        def save(facade: Any, *args: Any, **kwargs: Any) -> Any:
            local = recorder._local
            depth = getattr(local, "depth", 0)
            if depth == 0:
                recorder.calls.append((recorder.label_of(facade), recorder.explicit))
            if recorder.fail_with is not None:
                raise recorder.fail_with
            local.depth = depth + 1
            try:
                return original(facade, *args, **kwargs)
            finally:
                local.depth = depth

        self.cls.save = save
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._had_own:
            self.cls.save = self._original
        else:
            del self.cls.save
