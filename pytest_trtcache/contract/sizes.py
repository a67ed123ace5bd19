"""Sizes at which a channel is checked (C1, S3): where chunked reads and writes, 16/32-bit
length fields and buffered streams break. Shared by the conformance suite and the
lifecycle machine; payloads come from the reference's wire format, never the target."""

from __future__ import annotations

import functools
import io

from pytest_trtcache.reference.kernels import MIN_BLOB_SIZE, SIZED_KEY, encode, entries_of_size

# Nothing, one byte, and one either side of every power of two from 4 KiB to 16 MiB.
BOUNDARY_SIZES = (0, 1) + tuple((1 << p) + d for p in range(12, 25) for d in (-1, 0, 1))


@functools.lru_cache(maxsize=None)
def sized(size: int) -> bytes:
    """A payload of exactly ``size`` bytes: empty, one opaque byte (not a blob: it can
    only wait pending), or a valid blob that materializes to itself."""
    if size == 0:
        return b""
    if not is_blob(size):
        return bytes(range(1, size + 1))
    return encode(entries_of_size(size))


def is_blob(size: int) -> bool:
    """Whether :func:`sized` gives a blob a live cache can hold (else it waits pending)."""
    return size == 0 or size >= MIN_BLOB_SIZE + len(SIZED_KEY)


class ShortReads(io.RawIOBase):
    """A well-behaved raw stream (a pipe, a socket) that returns at most ``chunk`` bytes a
    call: ``read(n)`` may be short, ``read()`` still reads to the end."""

    def __init__(self, data: bytes, chunk: int) -> None:
        self.data, self.chunk, self.pos = data, chunk, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.chunk, len(self.data) - self.pos)
        buffer[:n] = self.data[self.pos : self.pos + n]
        self.pos += n
        return n
