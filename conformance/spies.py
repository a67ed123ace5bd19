"""Recorders for what the autosave clauses count: at-exit registrations and saves.

Both replace a callable for one test (through ``monkeypatch``) and never call through
to the real one for registrations: a hook a test captured must not also run when the
pytest process exits.
"""

from __future__ import annotations

import atexit
import functools
import gc
import weakref
from typing import Any, Callable


def refers_to(entry: Any, obj: Any, depth: int = 4) -> bool:
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


class AtexitSpy:
    """Stands in for ``atexit.register`` / ``atexit.unregister``; keeps a fake registry."""

    def __init__(self) -> None:
        self.registered: list[Callable[..., Any]] = []  # every registration, in order
        self.unregistered: list[Callable[..., Any]] = []  # every unregister() argument
        self.live: list[Callable[..., Any]] = []  # what the real registry would hold now

    def register(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[..., Any]:
        entry = functools.partial(func, *args, **kwargs) if args or kwargs else func
        self.registered.append(entry)
        self.live.append(entry)
        return func

    def unregister(self, func: Callable[..., Any]) -> None:
        # atexit.unregister removes every entry that compares equal to func.
        self.unregistered.append(func)
        self.live = [entry for entry in self.live if entry != func]

    def install(self, monkeypatch: Any) -> "AtexitSpy":
        monkeypatch.setattr(atexit, "register", self.register)
        monkeypatch.setattr(atexit, "unregister", self.unregister)
        return self

    def registered_for(self, obj: Any) -> list[Callable[..., Any]]:
        """Every registration that leads to ``obj``."""
        return [entry for entry in self.registered if refers_to(entry, obj)]

    def live_for(self, obj: Any) -> list[Callable[..., Any]]:
        """Registrations still live that lead to ``obj``."""
        return [entry for entry in self.live if refers_to(entry, obj)]


class SaveCounter:
    """Wraps ``RuntimeCache.save`` of a target's facade class and counts the calls."""

    def __init__(self, cache_class: type, monkeypatch: Any, fail_with: BaseException | None = None) -> None:
        self.calls: list[Any] = []
        original = cache_class.save
        counter = self

        @functools.wraps(original)
        def save(self: Any, *args: Any, **kwargs: Any) -> Any:
            counter.calls.append(args[0] if args else kwargs.get("path"))
            if fail_with is not None:
                raise fail_with
            return original(self, *args, **kwargs)

        monkeypatch.setattr(cache_class, "save", save)

    @property
    def count(self) -> int:
        return len(self.calls)
