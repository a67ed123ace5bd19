"""The cross-process channel: a pickled handle or facade sent to a child process (C1, C2)."""

from __future__ import annotations

from typing import Any, Protocol


class Channel(Protocol):
    """Sends a pickled handle or facade to a child in another process of the same
    target and runtime; the child loads it, materializes it and reports what it holds.

    ``(artifact, kind) -> {"serialized": hex, ...}``; ``kind`` is ``"handle"`` or
    ``"facade"``. An implementation may add ``"stderr"`` (included in failures).
    """

    def __call__(self, artifact: bytes, kind: str) -> dict[str, Any]: ...
