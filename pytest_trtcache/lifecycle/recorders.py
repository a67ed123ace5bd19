"""The harness's recorders: the at-exit registry and the facade's saves, taken over while
an example runs."""

from __future__ import annotations

import atexit
import contextlib
import threading
from typing import Any, Callable, Iterator, Optional


class AtexitRecorder:
    """Takes ``atexit.register``/``unregister`` over for a window, into a private list.

    The hooks registered by the target during the machine never reach the real
    registry (they must not run at the real interpreter exit); :meth:`fire` runs them
    as interpreter shutdown would (last registered first, then the registry is empty).
    """

    def __init__(self) -> None:
        self.hooks: list[tuple[Callable[..., Any], tuple, dict]] = []
        self.errors: list[str] = []
        self._saved: Optional[tuple[Any, Any]] = None
        self._real_count: Optional[int] = None

    def register(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[..., Any]:
        self.hooks.append((func, args, kwargs))
        return func

    def unregister(self, func: Callable[..., Any]) -> None:
        self.hooks = [h for h in self.hooks if h[0] != func]

    def funcs(self) -> list[Callable[..., Any]]:
        return [h[0] for h in self.hooks]

    def fire(self) -> None:
        hooks, self.hooks = self.hooks, []
        for func, args, kwargs in reversed(hooks):
            try:
                func(*args, **kwargs)
            except Exception as exc:  # the real registry prints it as "Exception ignored"
                self.errors.append(f"{func!r}: {type(exc).__name__}: {exc}")

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
    """Wraps the facade class's ``save`` to record outermost calls, by who made them.

    ``label_of(obj)`` names the facade at call time (during ``__del__`` the object is
    still alive, so its id is still the one the machine recorded)."""

    def __init__(self, cls: type, label_of: Callable[[Any], str]) -> None:
        self.cls = cls
        self.label_of = label_of
        self.calls: list[tuple[str, bool]] = []  # (facade label or "", made by the machine)
        self.explicit = False
        self._local = threading.local()  # call depth per thread: S5's rule saves from several
        self._had_own = "save" in vars(cls)
        self._original = cls.save

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

        def save(facade: Any, *args: Any, **kwargs: Any) -> Any:
            local = recorder._local
            depth = getattr(local, "depth", 0)
            if depth == 0:
                recorder.calls.append((recorder.label_of(facade), recorder.explicit))
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
