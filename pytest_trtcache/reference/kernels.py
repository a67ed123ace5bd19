"""A deterministic CPU model of TensorRT's ``IRuntimeConfig`` / ``IRuntimeCache``.

TensorRT cannot be installed here, yet "materialized" must be a real state: a live
cache that holds kernel entries, serializes to bytes and warms up from bytes. This
module is that cache. The C++ runtime (``csrc/kernel_cache.h``) implements the same
format byte for byte; ``tests/test_kernels.py`` pins the format with golden bytes.

Wire format (all integers little-endian)::

    magic   4 bytes  b"TRTC"
    version u16      FORMAT_VERSION
    flags   u16      0
    count   u32      number of entries
    entries count x (u32 key_len, key, u32 value_len, value), sorted by key
    crc32   u32      zlib.crc32 of everything above

A cache with no entries serializes to zero bytes, as ``IHostMemory.nbytes == 0``:
"nothing to save".
"""

from __future__ import annotations

import struct
import threading
import zlib
from typing import Iterable, Mapping, Optional

MAGIC = b"TRTC"
FORMAT_VERSION = 1
_HEADER = struct.Struct("<4sHHI")
_U32 = struct.Struct("<I")
HEADER_SIZE = _HEADER.size  # 12
TRAILER_SIZE = _U32.size  # 4


class CacheFormatError(ValueError):
    """Bytes handed to ``deserialize`` are not a valid runtime-cache blob."""


class HostMemory(bytes):
    """Stand-in for ``trt.IHostMemory``: supports ``memoryview()`` and ``.nbytes``."""

    @property
    def nbytes(self) -> int:
        return len(self)


def encode(entries: Mapping[bytes, bytes]) -> bytes:
    """The canonical blob for ``entries`` (the model every observation is checked against)."""
    if not entries:
        return b""
    parts = [_HEADER.pack(MAGIC, FORMAT_VERSION, 0, len(entries))]
    for key in sorted(entries):
        value = entries[key]
        parts += [_U32.pack(len(key)), key, _U32.pack(len(value)), value]
    body = b"".join(parts)
    return body + _U32.pack(zlib.crc32(body))


def decode(blob: bytes) -> dict[bytes, bytes]:
    """Parse a blob; raise :class:`CacheFormatError` naming what is wrong."""
    blob = bytes(blob)
    if not blob:
        return {}
    if len(blob) < HEADER_SIZE + TRAILER_SIZE:
        raise CacheFormatError(f"runtime cache blob truncated: {len(blob)} bytes, header needs {HEADER_SIZE + TRAILER_SIZE}")
    magic, version, _flags, count = _HEADER.unpack_from(blob)
    if magic != MAGIC:
        raise CacheFormatError(f"not a runtime cache blob: magic {magic!r}, expected {MAGIC!r}")
    if version != FORMAT_VERSION:
        raise CacheFormatError(f"unsupported runtime cache format version {version} (this build reads {FORMAT_VERSION})")
    (crc,) = _U32.unpack_from(blob, len(blob) - TRAILER_SIZE)
    if zlib.crc32(blob[:-TRAILER_SIZE]) != crc:
        raise CacheFormatError("runtime cache blob checksum mismatch (corrupt or truncated)")
    entries: dict[bytes, bytes] = {}
    offset, end = HEADER_SIZE, len(blob) - TRAILER_SIZE
    for _ in range(count):
        for _field in range(2):
            if offset + 4 > end:
                raise CacheFormatError("runtime cache blob truncated inside an entry")
            (size,) = _U32.unpack_from(blob, offset)
            offset += 4
            if offset + size > end:
                raise CacheFormatError("runtime cache blob truncated inside an entry")
            if _field == 0:
                key = blob[offset : offset + size]
            else:
                entries[key] = blob[offset : offset + size]
            offset += size
    if offset != end:
        raise CacheFormatError(f"runtime cache blob has {end - offset} trailing bytes after {count} entries")
    return entries


#: the shortest valid blob: a header, one entry of an empty key and value, the checksum
MIN_BLOB_SIZE = HEADER_SIZE + 2 * _U32.size + TRAILER_SIZE  # 24
SIZED_KEY = b"sized"


def entries_of_size(size: int) -> dict[bytes, bytes]:
    """One entry whose blob (:func:`encode`) is exactly ``size`` bytes; ``{}`` for 0.

    The value is a byte ramp, so a blob cut, shifted or stitched from two reads shows
    in its bytes, not only in its length.
    """
    if size == 0:
        return {}
    fixed = MIN_BLOB_SIZE + len(SIZED_KEY)
    if size < fixed:
        raise ValueError(f"no blob of {size} bytes: a valid blob with one entry has at least {fixed}")
    length = size - fixed
    return {SIZED_KEY: (bytes(range(256)) * (length // 256 + 1))[:length]}


def describe_blob(content: Optional[bytes]) -> str:
    """A file's bytes in a failure message: no file, not one blob (and why), or a valid blob."""
    if content is None:
        return "no file"
    try:
        entries = decode(content)
    except CacheFormatError as exc:
        return f"{len(content)} bytes, not one blob: {exc}"
    return f"{len(content)} bytes, a valid blob of {len(entries)} entries"


def kernel_entry(name: str, shape: Iterable[int] = ()) -> tuple[bytes, bytes]:
    """A deterministic (key, value) pair, as an engine's forward would add for a tactic."""
    key = f"{name}:{'x'.join(map(str, shape))}".encode()
    return key, zlib.crc32(key).to_bytes(4, "little") * 4


class KernelCache:
    """Stand-in for ``trt.IRuntimeCache``: a live, thread-safe set of kernel entries."""

    def __init__(self) -> None:
        self._entries: dict[bytes, bytes] = {}
        self._lock = threading.Lock()

    def serialize(self) -> HostMemory:
        with self._lock:
            return HostMemory(encode(self._entries))

    def deserialize(self, blob: bytes) -> bool:
        """Merge a blob's entries into the cache (later values win)."""
        entries = decode(bytes(blob))
        with self._lock:
            self._entries.update(entries)
        return True

    def add_entry(self, key: bytes, value: bytes) -> None:
        """What running an engine does: compile a kernel and remember it."""
        with self._lock:
            self._entries[bytes(key)] = bytes(value)

    @property
    def entries(self) -> dict[bytes, bytes]:
        with self._lock:
            return dict(self._entries)


class RuntimeConfig:
    """Stand-in for ``trt.IRuntimeConfig``: the factory a handle materializes against."""

    def __init__(self) -> None:
        self.created = 0  # how many caches this config made (H2/H3 count them)

    def create_runtime_cache(self) -> KernelCache:
        self.created += 1
        return KernelCache()
