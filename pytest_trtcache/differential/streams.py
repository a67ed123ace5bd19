"""Caller-owned streams that say what an implementation did to them.

A :class:`RecordingBytesIO` logs every call that is not the byte transfer itself
(``flush``, ``seek``, ``truncate``, ``close``) while an operation runs; the one-way
streams have only the direction they are named for: reaching for anything else is logged,
then raises as on a real one.
Real files opened by the caller are plain ``open()`` objects: what they show is their
position, closed flag and what the file holds.
"""

from __future__ import annotations

import io
from typing import Any


class _Log:
    recording = False

    def note(self, call: str) -> None:
        if self.recording:
            self.calls.append(call)

    def __getattr__(self, name: str) -> Any:
        """A method the stream does not have (``flush`` on a sink, ``tell`` on a source):
        reaching for it is touching the stream beyond its bytes (E1), logged, then the
        ``AttributeError`` a real one-way stream raises."""
        if not name.startswith("__"):
            self.note(f"{name} (missing)")
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


class RecordingBytesIO(_Log, io.BytesIO):
    def __init__(self, initial: bytes, position: int) -> None:
        io.BytesIO.__init__(self, initial)
        io.BytesIO.seek(self, position)
        self.calls: list[str] = []

    def flush(self) -> None:
        self.note("flush")
        io.BytesIO.flush(self)

    def seek(self, *args: Any) -> int:
        self.note("seek")
        return io.BytesIO.seek(self, *args)

    def truncate(self, *args: Any) -> int:
        self.note("truncate")
        return io.BytesIO.truncate(self, *args)

    def close(self) -> None:
        self.note("close")
        io.BytesIO.close(self)


class WriteOnlySink(_Log):
    """A socket-like sink: ``write`` only."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.data = bytearray()

    def write(self, data: Any) -> int:
        self.data += bytes(data)
        return len(data)


class ReadOnlySource(_Log):
    """A pipe-like source: ``read`` only, in short reads."""

    def __init__(self, data: bytes) -> None:
        self.calls: list[str] = []
        self.data, self.position = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size is None or size < 0 else self.position + size
        chunk = self.data[self.position : end]
        self.position += len(chunk)
        return chunk


def stream_state(stream: Any, path: str = "") -> tuple:
    """What the caller sees of ``stream`` now: (position, closed, contents, calls)."""
    if isinstance(stream, WriteOnlySink):
        return (len(stream.data), False, bytes(stream.data), tuple(stream.calls))
    if isinstance(stream, ReadOnlySource):
        return (stream.position, False, stream.data, tuple(stream.calls))
    closed = stream.closed
    position = None if closed else io.BytesIO.tell(stream) if isinstance(stream, io.BytesIO) else stream.tell()
    if path:
        with open(path, "rb") as f:
            contents = f.read()
    else:
        contents = None if closed else stream.getvalue()
    return (position, closed, contents, tuple(getattr(stream, "calls", ())))
