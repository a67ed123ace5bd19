"""C1 at every size: each channel carries blobs of 0 and 1 bytes and one either side of
every power of two from 4 KiB to 16 MiB whole (chunked reads and writes, 16/32-bit
length fields and buffered streams break exactly there); S3 with a stream that
returns short reads.

A channel runs in-process between two objects of one runtime (the cross-process pairs
of ``test_cross_runtime.py`` carry the small blobs between runtimes); the at-exit
autosave runs in one child that saves every size at its exit. Sizes above 1 MiB are
shared out among the target's runtimes (``contract.size_checks.sizes_for``). Expected bytes are the
model's (``kernels.entries_of_size``), never the target's.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from pytest_trtcache.spawn.ops import AutosaveFiles
from pytest_trtcache.targets import engine_wrapper
from pytest_trtcache.targets.base import tensor_of

from pytest_trtcache.contract.size_checks import holds, sizes_for, warm_facade
from pytest_trtcache.contract.sizes import BOUNDARY_SIZES, ShortReads, is_blob, sized

BLOB_SIZES = tuple(s for s in BOUNDARY_SIZES if is_blob(s))
CHILD_TIMEOUT_S = 300


def handle_pickle(runtime, check, tmp_path, size: int) -> None:
    handle = runtime.new_handle(str(tmp_path / "cache.bin"))
    handle.deserialize(tensor_of(sized(size)))
    holds(runtime, check, runtime.pickle_roundtrip(handle), sized(size), "a pickle round trip")


def facade_pickle(runtime, check, tmp_path, size: int) -> None:
    rc = runtime.api.RuntimeCache(str(tmp_path / "cache.bin"))
    runtime.handle_of(rc).deserialize(tensor_of(sized(size)))
    holds(runtime, check, runtime.handle_of(runtime.pickle_roundtrip(rc)), sized(size), "a pickle round trip")


def stream(runtime, check, tmp_path, size: int) -> None:
    payload = sized(size)
    if is_blob(size):  # a live cache's bytes (one opaque byte can only wait pending)
        buf = io.BytesIO()
        check.equal("save_to_stream() count", warm_facade(runtime, "", size).save_to_stream(buf), size)
        check.equal("bytes save_to_stream() wrote", buf.getvalue(), payload)
    rc = runtime.api.RuntimeCache("")
    check.equal("load_from_stream() count", rc.load_from_stream(io.BytesIO(payload)), size)
    holds(runtime, check, runtime.handle_of(rc), sized(size), "load_from_stream()")


def cache_file(runtime, check, tmp_path, size: int) -> None:
    path = tmp_path / f"{size}.bin"
    warm_facade(runtime, str(path), size).save()
    check.equal("file bytes after save()", path.read_bytes() if path.exists() else None, sized(size) or None)
    rc = runtime.api.RuntimeCache(str(path))
    rc.load()
    holds(runtime, check, runtime.handle_of(rc), sized(size), "load()")
    path.unlink(missing_ok=True)


def wrapper_torch_save(runtime, check, tmp_path, size: int) -> None:
    """A wrapper's artifact never carries its cache's bytes, whatever their size (W1)."""
    import torch

    def artifact(n: int) -> bytes:
        module = engine_wrapper.new_wrapper(runtime, "engine")
        implicit = engine_wrapper.attach_path(runtime, module, str(tmp_path / "engine.bin"))
        implicit.autosave_on_del = False  # its bytes are the point here, not its autosave
        handle = runtime.handle_of(implicit)
        handle.deserialize(tensor_of(sized(n)))
        runtime.materialize(handle)
        buf = io.BytesIO()
        torch.save(module, buf)
        return buf.getvalue()

    saved = artifact(size)
    check.equal("artifact size against an empty cache's (the cache's bytes stay out)", len(saved), len(artifact(0)))
    loaded = torch.load(io.BytesIO(saved), weights_only=False)
    check.equal("_implicit_cache_handle of the loaded wrapper", getattr(loaded, "_implicit_cache_handle", "<missing>"), None)


CHANNELS = {"handle-pickle": handle_pickle, "facade-pickle": facade_pickle, "stream": stream, "cache-file": cache_file, "wrapper-torch-save": wrapper_torch_save}
SIZES_OF = {"cache-file": BLOB_SIZES, "wrapper-torch-save": BLOB_SIZES}


@pytest.mark.clause("C1")
@pytest.mark.parametrize("channel", list(CHANNELS))
def test_every_channel_carries_a_blob_of_any_size_whole(runtime, check, tmp_path, channel):
    for size in sizes_for(runtime, SIZES_OF.get(channel, BOUNDARY_SIZES)):
        with check.step(f"{channel} of a {size}-byte {'blob' if is_blob(size) else 'pending payload'}"):
            CHANNELS[channel](runtime, check, tmp_path, size)


@pytest.mark.clause("C1")
def test_the_at_exit_autosave_writes_a_blob_of_any_size_whole(runtime, check, tmp_path, start_child):
    files = [[str(tmp_path / f"{size}.bin"), size] for size in sizes_for(runtime, BLOB_SIZES)]
    arg = AutosaveFiles(runtime.target.spec, runtime.name, files, role=runtime.target.role)
    child = start_child("pytest_trtcache.spawn.ops:autosave_at_exit", arg, "autosave")
    child.wait(CHILD_TIMEOUT_S)
    _out, err = child.output()
    check.child_stderr = err
    with check.step(f"a child with {len(files)} autosaving facades, one per size, exits"):
        check.equal("child exit status", child.returncode, 0)
        check.equal("'Exception ignored' in the child's stderr", "Exception ignored" in err, False)
    for path, size in files:
        with check.step(f"the file the at-exit hook wrote for a {size}-byte blob"):
            check.equal("file bytes", Path(path).read_bytes() if os.path.exists(path) else None, sized(size) or None)


@pytest.mark.clause("S3")
def test_a_stream_that_returns_short_reads_is_read_to_its_end(runtime, check):
    # 4093: a prime, so no read lines up with a power-of-two chunk of the reader's own.
    for size in sizes_for(runtime, BLOB_SIZES):
        with check.step(f"load_from_stream() of a {size}-byte blob from a stream giving at most 4093 bytes a read"):
            rc = runtime.api.RuntimeCache("")
            try:
                count = rc.load_from_stream(ShortReads(sized(size), chunk=4093))
            except Exception as exc:  # rejecting such a stream is allowed if it says why
                text = f"{type(exc).__name__}: {exc}"
                check.true(f"a rejection that names the short read (got {text})", any(w in text.lower() for w in ("short", "partial", "fewer", "incomplete")))
                return
            check.equal("load_from_stream() count", count, size)
            holds(runtime, check, runtime.handle_of(rc), sized(size), "load_from_stream()")

