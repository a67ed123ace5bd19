"""The harness's recorders: the at-exit registry and the facade's saves, taken over while
an example runs."""

from __future__ import annotations

import contextlib
import threading
from typing import Any, Callable, Iterator

# The at-exit registry the machine takes over is the suite's own (its hooks are 3-tuples).
from pytest_trtcache.contract.recorders import AtexitRecorder

__all__ = ["AtexitRecorder", "SaveRecorder"]


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
