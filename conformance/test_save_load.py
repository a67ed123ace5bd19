"""S1-S3, S7, S8: ``save``/``load`` to files and streams, in each runtime of the target."""

from __future__ import annotations

import io
import os

import pytest

from pytest_trtcache.targets import engine_wrapper
from pytest_trtcache.targets.base import NotObservable, bytes_of, tensor_of

from .blobs import BLOB_A, BLOB_B, ENTRIES_A

OLD_MTIME_NS = 1_000_000_000 * 1_000_000_000  # 2001-09-09, far from "now"


def listing(directory) -> list[str]:
    """Every file under ``directory``, relative; lock files are allowed to stay."""
    return sorted(
        os.path.relpath(os.path.join(root, name), directory)
        for root, _, names in os.walk(directory)
        for name in names
        if not name.endswith(".lock")
    )


def empty_cache(runtime, path: str, state: str):
    rc = runtime.api.RuntimeCache(path)
    if state == "materialized":
        runtime.materialize(runtime.handle_of(rc))
    return rc


@pytest.mark.clause("S1")
@pytest.mark.parametrize("state", ["empty", "materialized"], ids=["empty", "materialized-no-kernels"])
def test_saving_nothing_leaves_the_file_untouched(runtime, check, tmp_path, state):
    path = tmp_path / "cache.bin"
    path.write_bytes(BLOB_B)
    os.utime(path, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    rc = empty_cache(runtime, str(path), state)
    with check.step(f"save() of a {state} cache with nothing to serialize"):
        check.equal("serialize()", bytes_of(runtime.handle_of(rc).serialize()), b"")
        with check.no_exception("save()"):
            rc.save()
        check.equal("existing file content", path.read_bytes(), BLOB_B)
        check.equal("existing file mtime (ns)", path.stat().st_mtime_ns, OLD_MTIME_NS)
        check.equal("files in the directory", listing(tmp_path), ["cache.bin"])


@pytest.mark.clause("S2")
def test_loading_a_missing_file_is_a_no_op(runtime, check, tmp_path):
    path = tmp_path / "absent.bin"
    rc = runtime.api.RuntimeCache(str(path))
    with check.step("load() of a missing file"):
        with check.no_exception("load()"):
            rc.load()
        handle = runtime.handle_of(rc)
        check.equal("has_cache()", handle.has_cache(), False)
        check.equal("serialize()", bytes_of(handle.serialize()), b"")
        check.equal("files in the directory", listing(tmp_path), [])


@pytest.mark.clause("S2")
def test_an_empty_path_loads_and_saves_nothing(runtime, check, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a relative "" must not land in the cwd either
    rc = runtime.api.RuntimeCache("")
    with check.step("load() with an empty path"):
        with check.no_exception("load()"):
            rc.load()
        check.equal("serialize()", bytes_of(runtime.handle_of(rc).serialize()), b"")
    handle = runtime.handle_of(rc)
    runtime.materialize(handle)
    runtime.add_kernels(handle, ENTRIES_A)
    with check.step("save() with an empty path and kernels to save"):
        with check.no_exception("save()"):
            rc.save()
            rc.save("")
        check.equal("files created", listing(tmp_path), [])


@pytest.mark.clause("S3")
def test_stream_bytes_reach_the_cache(runtime, check):
    rc = runtime.api.RuntimeCache("")
    with check.step("load_from_stream"):
        count = rc.load_from_stream(io.BytesIO(BLOB_A))
        check.equal("load_from_stream() count", count, len(BLOB_A))
    with check.step("materialize"):
        handle = runtime.handle_of(rc)
        runtime.materialize(handle)
        check.equal("serialize() after materialization", bytes_of(handle.serialize()), BLOB_A)


@pytest.mark.clause("S3")
@pytest.mark.parametrize("state", ["pending", "materialized"])
def test_save_to_stream_writes_exactly_serialize(runtime, check, state):
    rc = runtime.api.RuntimeCache("")
    handle = runtime.handle_of(rc)
    if state == "pending":
        rc.load_from_stream(io.BytesIO(BLOB_A))
        runtime.materialize(handle)
    else:
        runtime.materialize(handle)
        runtime.add_kernels(handle, ENTRIES_A)
    with check.step(f"save_to_stream of a {state}-then-materialized cache"):
        buf = io.BytesIO()
        count = rc.save_to_stream(buf)
        check.equal("bytes written", buf.getvalue(), bytes_of(handle.serialize()))
        check.equal("bytes written (model)", buf.getvalue(), BLOB_A)
        check.equal("save_to_stream() count", count, len(buf.getvalue()))


@pytest.mark.clause("S3")
def test_empty_streams_move_nothing(runtime, check):
    rc = runtime.api.RuntimeCache("")
    with check.step("load_from_stream of an empty stream"):
        check.equal("load_from_stream() count", rc.load_from_stream(io.BytesIO(b"")), 0)
    with check.step("save_to_stream of an empty cache"):
        buf = io.BytesIO()
        count = rc.save_to_stream(buf)
        check.equal("bytes written", buf.getvalue(), b"")
        check.equal("save_to_stream() count", count, 0)


@pytest.mark.clause("S3")
def test_file_save_load_round_trip(runtime, check, tmp_path):
    path = tmp_path / "cache.bin"
    rc = runtime.api.RuntimeCache(str(path))
    handle = runtime.handle_of(rc)
    runtime.materialize(handle)
    runtime.add_kernels(handle, ENTRIES_A)
    with check.step("save()"):
        rc.save()
        check.equal("file content", path.read_bytes(), BLOB_A)
        check.equal("files in the directory", listing(tmp_path), ["cache.bin"])
    with check.step("load() into a fresh cache, then materialize"):
        fresh = runtime.api.RuntimeCache(str(path))
        fresh.load()
        loaded = runtime.handle_of(fresh)
        runtime.materialize(loaded)
        check.equal("serialize() of the loaded cache", bytes_of(loaded.serialize()), BLOB_A)


def warm(runtime, rc) -> None:
    handle = runtime.handle_of(rc)
    runtime.materialize(handle)
    runtime.add_kernels(handle, ENTRIES_A)


def warm_facade_saving_to(runtime, path: str, given: str):
    """A warm facade that saves to ``path``: made with it (``constructor``), or with no
    path, ``path`` then given to ``save()`` (``argument``)."""
    rc = runtime.api.RuntimeCache(path if given == "constructor" else "")
    warm(runtime, rc)
    return rc


def save_to(rc, path: str, given: str) -> None:
    if given == "constructor":
        rc.save()
    else:
        rc.save(path)


@pytest.mark.clause("S7")
@pytest.mark.parametrize("given", ["constructor", "argument"], ids=["path-of-the-facade", "path-given-to-save"])
def test_save_to_a_bare_file_name_writes_the_working_directory(runtime, check, tmp_path, monkeypatch, given):
    monkeypatch.chdir(tmp_path)
    rc = warm_facade_saving_to(runtime, "cache.bin", given)
    with check.step(f"save() to the bare name 'cache.bin' (no directory part), from the {given}"):
        with check.no_exception("save()"):
            save_to(rc, "cache.bin", given)
        check.equal("content of ./cache.bin", (tmp_path / "cache.bin").read_bytes() if (tmp_path / "cache.bin").exists() else None, BLOB_A)
        check.equal("files in the working directory", listing(tmp_path), ["cache.bin"])


@pytest.mark.clause("S2")
def test_the_context_manager_with_an_empty_path_touches_no_file(runtime, check, tmp_path, monkeypatch):
    if runtime.api.runtime_cache is None or runtime.api.wrapper_class is None:
        raise NotObservable(f"{runtime.target.spec}:{runtime.name} lacks runtime_cache() or an engine wrapper")
    monkeypatch.chdir(tmp_path)
    with check.step("with runtime_cache(wrapper, '') and kernels added inside the block"):
        with check.no_exception("entering and leaving the block"):
            with runtime.api.runtime_cache(engine_wrapper.new_wrapper(runtime), "") as rc:
                check.equal("path of the in-memory cache", rc.path, "")
                warm(runtime, rc)
        check.equal("files created", listing(tmp_path), [])


@pytest.mark.clause("S7")
@pytest.mark.parametrize("given", ["constructor", "argument"], ids=["path-of-the-facade", "path-given-to-save"])
def test_save_creates_a_missing_directory(runtime, check, tmp_path, given):
    path = tmp_path / "missing" / "nested" / "cache.bin"
    rc = warm_facade_saving_to(runtime, str(path), given)
    with check.step(f"save() into a directory that does not exist (two levels), path from the {given}"):
        with check.no_exception("save()"):
            save_to(rc, str(path), given)
        check.equal("content of the saved file", path.read_bytes() if path.exists() else None, BLOB_A)
        check.equal("files under the new directory", listing(tmp_path), [os.path.join("missing", "nested", "cache.bin")])
        created = [tmp_path / "missing", tmp_path / "missing" / "nested"]
        modes = {d.name: oct(d.stat().st_mode & 0o777) for d in created if d.is_dir()}
        # owner rwx: as root a directory without them still works, as anyone else a later save fails
        check.true("the owner to read, write and enter each created directory (mode & 0o700 == 0o700)",
                   all(d.is_dir() and d.stat().st_mode & 0o700 == 0o700 for d in created), observed=modes)


@pytest.mark.clause("S8")
@pytest.mark.parametrize("state", ["empty", "pending", "materialized"])
def test_loading_an_existing_empty_file_is_a_no_op(runtime, check, tmp_path, state):
    path = tmp_path / "cache.bin"
    path.write_bytes(b"")
    rc = runtime.api.RuntimeCache(str(path))
    carried = b""
    if state == "pending":
        runtime.handle_of(rc).deserialize(tensor_of(BLOB_A))
        carried = BLOB_A
    elif state == "materialized":
        warm(runtime, rc)
        carried = BLOB_A
    with check.step(f"load() of an existing, empty file into a {state} cache"):
        with check.no_exception("load()"):
            rc.load()
        handle = runtime.handle_of(rc)
        check.equal("has_cache() after load()", handle.has_cache(), state == "materialized")
        check.equal("the empty file after load()", path.read_bytes(), b"")
    with check.step(f"materialize the {state} cache and serialize"):
        runtime.materialize(handle)
        check.equal("serialize()", bytes_of(handle.serialize()), carried)
