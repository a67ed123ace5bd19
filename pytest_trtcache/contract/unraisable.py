"""Record every ``sys.unraisablehook`` call in a window, to fail on leaks (clause A2).

pytest's own unraisableexception plugin installs a session-wide hook that turns leaks
into warnings; it does not chain. Inside a guarded window this recorder takes the
hook's place (and does not chain either), so a leak is reported once, as a clause
violation with the object and traceback, instead of as a warning that a run may
filter. ``gc.collect()`` before the window closes flushes leaks from cycles.
"""

from __future__ import annotations

import gc
import sys
import traceback
from dataclasses import dataclass
from typing import Any, Optional


@dataclass(frozen=True)
class Leak:
    err_msg: str
    object: str
    exc_type: str
    exc_message: str
    traceback: str

    def format(self) -> str:
        head = f"{self.err_msg or 'Exception ignored in'}: {self.object}"
        return f"{head}\n{self.traceback}".rstrip()


def leak_from(args: Any) -> Leak:
    try:
        obj = repr(args.object)
    except Exception as exc:  # a half-built object may not even repr
        obj = f"<unrepresentable {type(args.object).__name__}: {exc!r}>"
    tb = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
    return Leak(
        err_msg=args.err_msg or "Exception ignored in",
        object=obj,
        exc_type=getattr(args.exc_type, "__name__", str(args.exc_type)),
        exc_message=str(args.exc_value),
        traceback=tb,
    )


class UnraisableRecorder:
    """Context manager: while active, every unraisable exception is recorded here."""

    def __init__(self) -> None:
        self.leaks: list[Leak] = []
        self._previous: Optional[Any] = None
        self._active = False

    def _hook(self, args: Any) -> None:
        self.leaks.append(leak_from(args))

    def __enter__(self) -> "UnraisableRecorder":
        self._previous, sys.unraisablehook = sys.unraisablehook, self._hook
        self._active = True
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            gc.collect()
        finally:
            sys.unraisablehook = self._previous
            self._active = False

    def drain(self) -> list[Leak]:
        """Collect garbage, then take the leaks recorded so far."""
        gc.collect()
        leaks, self.leaks = self.leaks, []
        return leaks

    def format(self, leaks: Optional[list[Leak]] = None) -> str:
        leaks = self.leaks if leaks is None else leaks
        return "\n\n".join(leak.format() for leak in leaks)
