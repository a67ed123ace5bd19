"""The kernel-cache model: its wire format is pinned, its errors are clear."""

from __future__ import annotations

import struct
import zlib

import pytest

from pytest_trtcache.reference.kernels import (
    HEADER_SIZE,
    CacheFormatError,
    HostMemory,
    KernelCache,
    RuntimeConfig,
    decode,
    encode,
    kernel_entry,
)

GOLDEN = bytes.fromhex("5452544301000000020000000100000061010000003102000000626202000000323285341161")


def test_the_wire_format_is_pinned_by_golden_bytes() -> None:
    assert encode({b"bb": b"22", b"a": b"1"}) == GOLDEN
    assert decode(GOLDEN) == {b"a": b"1", b"bb": b"22"}


def test_an_empty_cache_serializes_to_nothing() -> None:
    cache = RuntimeConfig().create_runtime_cache()
    host = cache.serialize()
    assert host.nbytes == 0 and bytes(memoryview(host)) == b""


def test_host_memory_behaves_like_trt_ihostmemory() -> None:
    host = HostMemory(b"abc")
    assert host.nbytes == 3 and bytes(memoryview(host)) == b"abc"


def test_deserialize_merges_and_later_values_win() -> None:
    cache = KernelCache()
    cache.add_entry(b"k", b"old")
    cache.add_entry(b"j", b"1")
    cache.deserialize(encode({b"k": b"new"}))
    assert cache.entries == {b"k": b"new", b"j": b"1"}


def test_config_counts_the_caches_it_creates() -> None:
    config = RuntimeConfig()
    config.create_runtime_cache()
    config.create_runtime_cache()
    assert config.created == 2


def test_kernel_entries_are_deterministic() -> None:
    assert kernel_entry("conv", (1, 3)) == kernel_entry("conv", (1, 3))
    assert kernel_entry("conv", (1, 3)) != kernel_entry("conv", (3, 1))


@pytest.mark.parametrize("cut", range(1, len(GOLDEN)))
def test_every_truncation_is_detected(cut: int) -> None:
    with pytest.raises(CacheFormatError):
        decode(GOLDEN[:cut])


@pytest.mark.parametrize("bit", range(0, len(GOLDEN) * 8, 7))
def test_bit_flips_are_detected(bit: int) -> None:
    data = bytearray(GOLDEN)
    data[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(CacheFormatError):
        decode(bytes(data))


@pytest.mark.parametrize(
    ("blob", "words"),
    [
        (b"PK\x03\x04" + b"\0" * 20, "magic"),
        (struct.pack("<4sHHI", b"TRTC", 99, 0, 0) + b"\0" * 4, "version 99"),
    ],
)
def test_errors_name_what_is_wrong(blob: bytes, words: str) -> None:
    with pytest.raises(CacheFormatError, match=words):
        decode(blob)


def test_trailing_garbage_with_a_valid_checksum_is_refused() -> None:
    body = GOLDEN[:-4] + b"xx"
    blob = body + zlib.crc32(body).to_bytes(4, "little")
    with pytest.raises(CacheFormatError, match="trailing"):
        decode(blob)


def test_header_size_is_twelve() -> None:
    assert HEADER_SIZE == 12
