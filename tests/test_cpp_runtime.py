"""The reference cpp runtime: byte parity with kernels.py, handle semantics, variants, build cache.

Plain pytest tests (no plugin fixtures). The first test to need the torchbind class
builds it into the per-user build cache (~20 s once); later runs load it in ~1 ms.
"""

from __future__ import annotations

import copy
import os
import pickle
import struct
import threading
import zlib

import pytest
import torch
from hypothesis import HealthCheck, given, settings

from pytest_trtcache.contract.parity import ParityMismatch, compare_handles
from pytest_trtcache.reference import cpp, kernels
from pytest_trtcache.reference.handle import RuntimeCacheHandle as PyHandle
from pytest_trtcache.targets.base import PENDING_BYTES, bytes_of, tensor_of
from pytest_trtcache.targets.reference import reference_target


reason = cpp.unavailable_reason()
pytestmark = pytest.mark.skipif(reason is not None, reason=f"reference C++ runtime unavailable: {reason}")


def _handle(path: str = "p", variant: str = ""):
    return cpp.handle_class(variant)(path)


def _loaded(handle, via: str):
    if via == "pickle":
        return pickle.loads(pickle.dumps(handle))
    if via == "deepcopy":
        return copy.deepcopy(handle)
    return copy.copy(handle)


ENTRY_SETS = {
    "empty": {},
    "one": {b"a": b"1"},
    "kernel-entries": dict(kernels.kernel_entry(n, s) for n, s in [("conv", (1, 3, 224, 224)), ("gemm", (64, 64)), ("relu", ())]),
    "binary-values": {b"k0": b"\x00" * 7, b"k1": bytes(range(256)), b"k2": b"", b"k3": b"\xff\xfe\x00\x01"},
    "non-ascii-keys": {"é".encode(): b"e", "ü".encode(): b"u", b"z": b"z", "日本".encode(): b"jp"},
    "prefix-keys": {b"ab": b"2", b"a": b"1", b"abc": b"3", b"b": b""},
    "many": {f"kernel/{i:05d}".encode(): (i * 2654435761 % 2**32).to_bytes(4, "little") * (i % 5) for i in range(2000)},
}


# -- golden bytes ----------------------------------------------------------------------
@pytest.mark.parametrize("name", list(ENTRY_SETS))
def test_add_entry_serializes_like_kernels_encode(name):
    entries = ENTRY_SETS[name]
    h = _handle()
    h.materialize()
    for key in sorted(entries, reverse=True):  # insertion order must not matter
        h.add_entry(key.decode(), tensor_of(entries[key]))
    assert bytes_of(h.serialize()) == kernels.encode(entries)


@pytest.mark.parametrize("name", list(ENTRY_SETS))
def test_decode_then_encode_round_trips_python_blobs(name):
    blob = kernels.encode(ENTRY_SETS[name])
    h = _handle()
    h.deserialize(tensor_of(blob))
    h.materialize()
    assert bytes_of(h.serialize()) == blob


def test_arbitrary_byte_keys_round_trip():
    # keys that are not UTF-8 cannot go through add_entry(str), but must survive decode/encode
    entries = {b"\xff\x00": b"x", b"\x80": b"y", b"\x7f": b"z", b"": b"empty-key"}
    blob = kernels.encode(entries)
    h = _handle()
    h.materialize()
    h.deserialize(tensor_of(blob))
    assert kernels.decode(bytes_of(h.serialize())) == entries
    assert bytes_of(h.serialize()) == blob


def test_merge_later_values_win_like_kernel_cache():
    a = {b"k": b"old", b"a": b"1"}
    b = {b"k": b"new", b"b": b"2"}
    h = _handle()
    h.materialize()
    h.deserialize(tensor_of(kernels.encode(a)))
    h.deserialize(tensor_of(kernels.encode(b)))
    ref = kernels.KernelCache()
    ref.deserialize(kernels.encode(a))
    ref.deserialize(kernels.encode(b))
    assert bytes_of(h.serialize()) == bytes(ref.serialize())


# -- decode errors ---------------------------------------------------------------------
def _with_crc(body: bytes) -> bytes:
    return body + struct.pack("<I", zlib.crc32(body))


GOOD = kernels.encode({b"a": b"1", b"bb": b"22"})
CORRUPT = {
    "truncated-header": GOOD[:10],
    "one-byte": b"T",
    "bad-magic": b"XXXX" + GOOD[4:],
    "magic-with-quote": b"'a\\\x00" + GOOD[4:],
    "magic-with-both-quotes": b"'\"\n\x9f" + GOOD[4:],
    "bad-version": _with_crc(b"TRTC" + struct.pack("<HHI", 7, 0, 0)),
    "checksum": GOOD[:-1] + bytes([GOOD[-1] ^ 0x01]),
    "flipped-body-byte": GOOD[:13] + bytes([GOOD[13] ^ 0x40]) + GOOD[14:],
    "count-too-large": _with_crc(b"TRTC" + struct.pack("<HHI", 1, 0, 3) + GOOD[12:-4]),
    "entry-size-overflows": _with_crc(b"TRTC" + struct.pack("<HHI", 1, 0, 1) + struct.pack("<I", 0xFFFFFFF0) + b"abc"),
    "trailing-bytes": _with_crc(GOOD[:-4] + b"junk"),
    "zero-count-with-body": _with_crc(b"TRTC" + struct.pack("<HHI", 1, 0, 0) + b"x"),
}


@pytest.mark.parametrize("name", list(CORRUPT))
def test_decode_errors_match_kernels_decode(name):
    blob = CORRUPT[name]
    with pytest.raises(kernels.CacheFormatError) as py_err:
        kernels.decode(blob)
    h = _handle()
    h.materialize()
    h.add_entry("keep", tensor_of(b"me"))
    before = bytes_of(h.serialize())
    with pytest.raises(ValueError) as cpp_err:
        h.deserialize(tensor_of(blob))
    assert str(cpp_err.value).splitlines()[0] == str(py_err.value)
    assert bytes_of(h.serialize()) == before  # a corrupt blob changes nothing


def test_corrupt_pending_bytes_start_cold_with_a_warning(caplog):
    """Mirrors handle.ensure_materialized: a corrupt stash is discarded with a warning (S6)."""
    import warnings

    blob = CORRUPT["checksum"]
    for h in (_handle(), PyHandle("p")):
        h.deserialize(tensor_of(blob))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            caplog.clear()
            cpp.materialize(h) if not isinstance(h, PyHandle) else h.ensure_materialized(kernels.RuntimeConfig())
        said = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
        assert any("starting cold" in m and "checksum mismatch" in m for m in said), said
        assert h.has_cache()
        assert bytes_of(h.serialize()) == b""


# -- handle surface ------------------------------------------------------------------------
def test_path_property_and_default():
    h = _handle("first")
    assert h.path == "first"
    h.path = "second"
    assert h.path == "second"
    assert cpp.handle_class()().path == ""


def test_states_serialize_and_pending():
    h = _handle()
    assert bytes_of(h.serialize()) == b"" and bytes_of(h.pending_bytes()) == b"" and not h.has_cache()
    h.deserialize(torch.empty(0, dtype=torch.uint8))  # H4
    assert bytes_of(h.pending_bytes()) == b""
    h.deserialize(tensor_of(GOOD))
    assert bytes_of(h.serialize()) == GOOD == bytes_of(h.pending_bytes())  # H9
    other = kernels.encode({b"z": b"9"})
    h.deserialize(tensor_of(other))  # pending: replaced, as the python handle does
    assert bytes_of(h.pending_bytes()) == other
    h.materialize()
    h.materialize()  # idempotent
    assert h.has_cache() and bytes_of(h.pending_bytes()) == b""
    assert bytes_of(h.serialize()) == other
    h.deserialize(torch.empty(0, dtype=torch.uint8))  # H4 when live
    h.deserialize(tensor_of(GOOD))  # live: merged
    assert kernels.decode(bytes_of(h.serialize())) == {**kernels.decode(other), **kernels.decode(GOOD)}


@pytest.mark.parametrize(
    "make",
    [
        lambda b: torch.frombuffer(bytearray(bytes(x for pair in zip(b, b"\xee" * len(b)) for x in pair)), dtype=torch.uint8)[::2],
        lambda b: torch.frombuffer(bytearray(b"\x01\x02" + b + b"\x03"), dtype=torch.uint8)[2:-1],
        lambda b: torch.frombuffer(bytearray(b), dtype=torch.uint8).reshape(2, -1) if len(b) % 2 == 0 else torch.frombuffer(bytearray(b), dtype=torch.uint8).reshape(1, -1),
        lambda b: torch.frombuffer(bytearray(b), dtype=torch.uint8).reshape(1, -1).t(),
    ],
    ids=["strided", "sliced", "2d", "transposed"],
)
def test_deserialize_accepts_any_uint8_layout(make):
    t = make(GOOD)
    assert bytes_of(t) == GOOD
    h = _handle()
    h.deserialize(t)
    assert bytes_of(h.pending_bytes()) == GOOD
    h2 = _handle()
    h2.materialize()
    h2.deserialize(make(GOOD))
    assert bytes_of(h2.serialize()) == GOOD


@pytest.mark.parametrize("dtype", [torch.float32, torch.int8, torch.int64, torch.bool])
def test_deserialize_rejects_other_dtypes(dtype):
    h = _handle()
    with pytest.raises(TypeError) as err:
        h.deserialize(torch.zeros(4, dtype=dtype))
    assert str(dtype) in str(err.value) and "uint8" in str(err.value)
    assert bytes_of(h.pending_bytes()) == b""


def test_add_entry_requires_live_cache():
    h = _handle("some/path")
    with pytest.raises(RuntimeError, match=r"add_entry\(\) needs a live cache: call materialize\(\) first"):
        h.add_entry("k", tensor_of(b"v"))


def test_concurrent_materialize_keeps_pending_bytes():
    h = _handle()
    h.deserialize(tensor_of(GOOD))
    barrier = threading.Barrier(8)

    def go():
        barrier.wait()
        h.materialize()
        h.add_entry(f"t{threading.get_ident()}", tensor_of(b"x"))

    threads = [threading.Thread(target=go) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    entries = kernels.decode(bytes_of(h.serialize()))
    assert len(entries) == 2 + 8 and all(entries[k] == v for k, v in kernels.decode(GOOD).items())


# -- pickling ---------------------------------------------------------------------------
def _in_state(state: str):
    h = _handle("the/path")
    if state in ("pending", "materialized"):
        h.deserialize(tensor_of(GOOD))
    if state == "materialized":
        h.materialize()
        h.add_entry("extra", tensor_of(b"\x00\x01"))
    return h


@pytest.mark.parametrize("via", ["pickle", "deepcopy"])
@pytest.mark.parametrize("state", ["empty", "pending", "materialized"])
def test_pickle_round_trip_in_every_state(state, via):
    h = _in_state(state)
    blob = bytes_of(h.serialize())
    loaded = _loaded(h, via)
    assert loaded is not h
    assert loaded.path == "the/path"
    assert not loaded.has_cache()  # loads pending
    assert bytes_of(loaded.pending_bytes()) == blob
    assert bytes_of(loaded.serialize()) == blob
    loaded.materialize()
    assert bytes_of(loaded.serialize()) == blob
    assert h.has_cache() == (state == "materialized")  # the original is untouched


def test_shallow_copy_aliases_the_cpp_object():
    """Observed torchbind behaviour (torch 2.13): ``ScriptObject.__copy__`` returns a new
    wrapper around the *same* C++ object, not a pickle round trip. The python handle's
    ``copy.copy`` goes through ``__getstate__``/``__setstate__`` and is independent: a
    runtime divergence outside H6 (which is about ``deepcopy``). Pinned so a change shows."""
    h = _in_state("pending")
    alias = copy.copy(h)
    alias.materialize()
    assert h.has_cache()
    py = PyHandle("p")
    py.deserialize(tensor_of(GOOD))
    py_copy = copy.copy(py)
    py_copy.ensure_materialized(kernels.RuntimeConfig())
    assert not py.has_cache()


def test_pickle_state_is_path_and_bytes():
    h = _in_state("pending")
    state, qualname = h.__getstate__()
    assert qualname == "__torch__.torch.classes.trtcache_ref.RuntimeCacheHandle"
    path, data = state
    assert path == "the/path" and bytes_of(data) == GOOD


def test_torch_save_load_round_trip(tmp_path):
    h = _in_state("materialized")
    torch.save({"h": h}, tmp_path / "h.pt")
    loaded = torch.load(tmp_path / "h.pt", weights_only=False)["h"]
    assert bytes_of(loaded.pending_bytes()) == bytes_of(h.serialize()) and not loaded.has_cache()


# -- facade and targets -------------------------------------------------------------------
def test_facade_under_cpp_runtime_round_trips_to_python(tmp_path):
    from pytest_trtcache.reference import RuntimeCache, use_runtime

    target = tmp_path / "cache.bin"
    with use_runtime("cpp"):
        rc = RuntimeCache(str(target))
        assert rc.is_cpp_runtime()
        cpp = reference_target().runtime("cpp")  # what an engine does: materialize, add a kernel
        cpp.materialize(rc._handle)
        cpp.add_kernels(rc._handle, dict([kernels.kernel_entry("conv", (1, 2))]))
        rc.save()
        blob = pickle.dumps(rc)
    with use_runtime("python"):
        loaded = pickle.loads(blob)
        assert not loaded.is_cpp_runtime()
        assert bytes_of(loaded._handle.serialize()) == target.read_bytes() == kernels.encode(dict([kernels.kernel_entry("conv", (1, 2))]))


def test_reference_target_lists_cpp_runtime():
    from pytest_trtcache.targets import resolve

    target = resolve("reference")
    assert set(target.runtimes) == {"python", "cpp"}
    rt = target.runtime("cpp")
    assert rt.unavailable_reason() is None
    assert rt.observes == frozenset({"pending_bytes", "atexit_token"})
    h = rt.new_handle("x")
    h.deserialize(tensor_of(GOOD))
    assert rt.observe(PENDING_BYTES, h) == GOOD
    rt.materialize(h)
    assert rt.observe(PENDING_BYTES, h) is None
    rt.add_kernels(h, {b"k": b"v"})
    assert kernels.decode(bytes_of(h.serialize()))[b"k"] == b"v"
    from pytest_trtcache.reference.features import ENABLED_FEATURES

    with rt.active():
        assert ENABLED_FEATURES.runtime == "cpp"
        rc = rt.api.RuntimeCache("p", autosave_on_del=True)
        assert rc.is_cpp_runtime() and rt.observe("atexit_token", rc) is not None
        rc.autosave_on_del = False


# -- variants (the cpp bug zoo) ---------------------------------------------------------------
MUTANTS = {
    "cpp-serialize-empty-pending": "serialize_empty_pending",
    "cpp-pickle-path-only": "pickle_path_only",
    "cpp-deserialize-drops-pending": "deserialize_drops_pending",
}


def test_variant_serialize_empty_pending():
    h = _handle(variant="serialize_empty_pending")
    h.deserialize(tensor_of(GOOD))
    assert bytes_of(h.serialize()) == b""  # the bug (H9)
    assert bytes_of(pickle.loads(pickle.dumps(h)).pending_bytes()) == b""  # so a pickle loses them (H1, H5)
    h.materialize()
    assert bytes_of(h.serialize()) == GOOD  # materialization still drains


def test_variant_pickle_path_only():
    for state in ("pending", "materialized"):
        h = _handle("p", variant="pickle_path_only")
        h.deserialize(tensor_of(GOOD))
        if state == "materialized":
            h.materialize()
        assert bytes_of(h.serialize()) == GOOD
        for loaded in (pickle.loads(pickle.dumps(h)), copy.deepcopy(h)):
            assert loaded.path == "p"
            assert bytes_of(loaded.serialize()) == b""  # the bug (H5, H6)


def test_variant_deserialize_drops_pending():
    h = _handle(variant="deserialize_drops_pending")
    h.deserialize(tensor_of(GOOD))
    assert bytes_of(h.pending_bytes()) == b""  # the bug (H1)
    h.materialize()
    assert bytes_of(h.serialize()) == b""
    h.deserialize(tensor_of(GOOD))  # write-through when live still works
    assert bytes_of(h.serialize()) == GOOD


def test_variants_coexist_in_one_process():
    names = {cpp.handle_class(v)("p")._type().qualified_name() for v in cpp.VARIANTS}
    assert names == {f"__torch__.torch.classes.{cpp.namespace(v)}.RuntimeCacheHandle" for v in cpp.VARIANTS}


@pytest.mark.parametrize("mutant", list(MUTANTS))
def test_mutant_targets_use_their_variant(mutant):
    from pytest_trtcache.mutants import MUTANTS as ZOO
    from pytest_trtcache.targets.mutant import mutant_target

    assert ZOO[mutant].runtimes == ("python", "cpp") and ZOO[mutant].cpp_variant == MUTANTS[mutant]
    target = mutant_target(f"mutant:{mutant}", mutant)
    assert list(target.runtimes) == ["python", "cpp"]
    rt = target.runtime("cpp")
    assert rt.unavailable_reason() is None
    with rt.active():
        rc = rt.api.RuntimeCache("p")
        assert rc._handle._type().qualified_name() == f"__torch__.torch.classes.{cpp.namespace(MUTANTS[mutant])}.RuntimeCacheHandle"
    # and H7 catches each of them against the fixed python handle
    from pytest_trtcache.targets import resolve

    python = resolve("reference").runtime("python")
    with pytest.raises(ParityMismatch, match="H7"):
        compare_handles(python, rt, [("deserialize", GOOD), ("pickle",), ("materialize",), ("pickle",)])


# -- H7: python and cpp handles observe the same ---------------------------------------------
def test_compare_handles_fixed_sequence():
    from pytest_trtcache.targets import resolve

    target = resolve("reference")
    trace = compare_handles(
        target.runtime("python"),
        target.runtime("cpp"),
        [
            ("serialize",), ("deserialize", b""), ("deserialize", GOOD), ("pickle",), ("deepcopy",),
            ("deserialize", CORRUPT["checksum"]), ("materialize",), ("add_entry", b"k", b"v"),
            ("deserialize", GOOD), ("materialize",), ("add_entry", b"k", b"v"), ("deserialize", CORRUPT["bad-magic"]),
            ("deserialize_tensor", torch.zeros(2)), ("set_path", "q"), ("pickle",), ("serialize",),
        ],
    )
    # corrupt pending bytes start cold (S6); a corrupt blob into a live cache is an error
    assert trace[6].outcome[0] == "ok" and trace[6].has_cache and trace[6].serialized == b""
    assert trace[11].outcome[0] == "error" and trace[12].outcome[1] == "TypeError"


from pytest_trtcache.contract.parity import op_sequences as _ops  # noqa: E402


def _check_parity(ops):
    from pytest_trtcache.targets import resolve

    target = resolve("reference")
    compare_handles(target.runtime("python"), target.runtime("cpp"), ops)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(_ops)
def test_h7_parity_random_sequences(ops):
    _check_parity(ops)


@pytest.mark.slow
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(_ops)
def test_h7_parity_random_sequences_full(ops):
    """Run on purpose: ``pytest -m slow tests/test_cpp_runtime.py``."""
    _check_parity(ops)
