"""S4-S6: interrupted saves, concurrent savers, bad cache files.

Interruptions are injected at each file-system event of the target's own ``save()``
(``pytest_trtcache.contract.faults``: an audit hook), so every point is tried, deterministically.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from pytest_trtcache.contract.faults import Injector, SaverPayload, inject
from pytest_trtcache.reference.kernels import HEADER_SIZE, CacheFormatError, decode, describe_blob, encode, kernel_entry
from pytest_trtcache.contract.reported import capture_reports
from pytest_trtcache.targets.base import bytes_of

from .blobs import BLOB_A, BLOB_B, ENTRIES_A, ENTRIES_B

CHILD_TIMEOUT_S = 120


def _save(runtime, path, entries):
    rc = runtime.api.RuntimeCache(str(path))
    handle = runtime.handle_of(rc)
    runtime.materialize(handle)
    runtime.add_kernels(handle, entries)
    rc.save()


def _leftovers(directory: Path, path: Path) -> list[str]:
    """Files other than the cache and its lock: temp files a save left behind."""
    return sorted(p.name for p in directory.iterdir() if p.name not in (path.name, path.name + ".lock"))


def _events_of_a_save(runtime, directory, path, entries) -> list:
    rc = runtime.api.RuntimeCache(str(path))
    handle = runtime.handle_of(rc)
    runtime.materialize(handle)
    runtime.add_kernels(handle, entries)
    with inject(Injector(str(directory))) as probe:
        rc.save()
    return probe.events


@pytest.mark.clause("S4")
def test_a_save_interrupted_by_an_exception_leaves_old_or_new_and_no_temp(runtime, check, tmp_path):
    path = tmp_path / "cache.bin"
    _save(runtime, path, ENTRIES_B)
    events = _events_of_a_save(runtime, tmp_path, path, ENTRIES_A)
    check.true("a save to touch the file system", bool(events))
    for index, event in enumerate(events):
        _save(runtime, path, ENTRIES_B)  # the old file, complete
        rc = runtime.api.RuntimeCache(str(path))
        handle = runtime.handle_of(rc)
        runtime.materialize(handle)
        runtime.add_kernels(handle, ENTRIES_A)
        with check.step(f"save() failing at file-system event #{index} {event} of {len(events)}"):
            with inject(Injector(str(tmp_path), at=index)):
                try:
                    rc.save()
                except OSError:
                    pass  # the injected fault, passed on or wrapped: both fine
            content = path.read_bytes() if path.exists() else None
            check.true("the target to hold the old or the new complete blob", content in (BLOB_B, BLOB_A), observed=content)
            check.equal("temp files left in the directory", _leftovers(tmp_path, path), [])


def _prepared_dir(runtime, tmp_path, name):
    """A directory as every killed child finds it: the old complete file and its lock."""
    directory = tmp_path / name
    directory.mkdir(mode=0o700)
    path = directory / "cache.bin"
    _save(runtime, path, ENTRIES_B)
    return directory, path


SAVER = "pytest_trtcache.contract.faults:saver"


def _saver(start_child, name, runtime, path, entries, **extra):
    """A saving child, started at once (real processes: SIGKILL and concurrency are real)."""
    return start_child(SAVER, SaverPayload.of(runtime, str(path), entries, **extra), name)


def _finish(child):
    """(exit status, stdout, stderr) of a child, once it has exited."""
    child.wait(CHILD_TIMEOUT_S)
    out, err = child.output()
    return child.returncode, out, err


@pytest.mark.clause("S4")
def test_a_save_killed_at_any_point_leaves_old_or_new_and_the_next_save_cleans_up(runtime, check, tmp_path, start_child):
    # The points are enumerated by a child that is not killed, in a directory prepared
    # like every other child's: the same code takes the same path through the same state.
    _, probe_path = _prepared_dir(runtime, tmp_path, "probe")
    code, out, err = _finish(_saver(start_child, "probe", runtime, probe_path, ENTRIES_A))
    check.child_stderr = err
    with check.step("an uninterrupted save in a child"):
        check.equal("child exit status", code, 0)
        events = json.loads(out.splitlines()[-1])["events"]
        check.true("a save to touch the file system", bool(events))
    children = []
    for index in range(len(events)):
        directory, path = _prepared_dir(runtime, tmp_path, f"kill-{index}")
        children.append((index, directory, path, _saver(start_child, f"kill-{index}", runtime, path, ENTRIES_A, kill_at=index)))
    for index, directory, path, child in children:
        code, _out, err = _finish(child)
        check.child_stderr = err
        with check.step(f"child SIGKILLed at file-system event #{index} {tuple(events[index])} of its save()"):
            check.equal("child exit status", code, -9)
            content = path.read_bytes() if path.exists() else None
            check.true("the target to hold the old or the new complete blob", content in (BLOB_B, BLOB_A), observed=content)
        with check.step(f"the next save() after a kill at event #{index}"):
            _save(runtime, path, ENTRIES_A)
            check.equal("file bytes", path.read_bytes(), BLOB_A)
            check.equal("temp files left in the directory", _leftovers(directory, path), [])
    check.child_stderr = None


@pytest.mark.clause("S5")
def test_concurrent_savers_leave_one_complete_blob(runtime, check, tmp_path, start_child):
    savers, rounds = 8, 25
    directory = tmp_path / "shared"
    directory.mkdir(mode=0o700)
    path = directory / "cache.bin"
    blobs = {}
    procs = []
    go = tmp_path / "go"
    # One saver killed while it holds the lock (at its rename): its lock must not block the rest.
    probe_entries = dict([kernel_entry("probe")])
    _save(runtime, path, dict([kernel_entry("first")]))
    code, out, err = _finish(_saver(start_child, "probe", runtime, path, probe_entries))
    with check.step("an uninterrupted save in a child"):
        check.child_stderr = err
        check.equal("child exit status", code, 0)
    events = json.loads(out.splitlines()[-1])["events"]
    blobs[encode(probe_entries)] = "probe"  # what the file holds when the savers start
    rename_at = next((i for i, (e, _) in enumerate(events) if e in ("os.rename", "os.replace", "shutil.move")), max(len(events) - 1, 0))
    code, _out, killed_stderr = _finish(_saver(start_child, "killed", runtime, path, dict([kernel_entry("killed")]), kill_at=rename_at))
    with check.step("a saver killed while holding the lock"):
        check.child_stderr = killed_stderr
        check.equal("killed saver's exit status", code, -9)
    for i in range(savers):
        # 256 KiB each: a save is many writes long, so concurrent saves overlap for real
        # (with a tiny blob an unsafe saver can go unnoticed on a machine with many cores).
        key, size = f"saver{i}".encode(), 256 << 10
        blobs[encode({key: bytes([i]) * size})] = i
        procs.append(_saver(start_child, f"saver{i}", runtime, path, {}, fill=[[key.hex(), i, size]], rounds=rounds, wait_for=str(go)))
    go.touch()
    seen_bad = []
    deadline = time.monotonic() + CHILD_TIMEOUT_S
    while any(p.poll() is None for p in procs) and time.monotonic() < deadline:
        if path.exists():
            content = path.read_bytes()
            if content not in blobs:
                seen_bad.append(content)
        time.sleep(0.001)  # poll interval: leave the cores to the savers
    hung = [i for i, p in enumerate(procs) if p.poll() is None]
    for p in procs:
        if p.poll() is None:
            p.kill()
    results = [_finish(p) for p in procs]
    with check.step(f"{savers} processes x {rounds} saves to one path"):
        check.equal("savers still running after the deadline (deadlock)", hung, [])
        for i, (code, _out, err) in enumerate(results):
            check.child_stderr = err
            check.equal(f"saver {i} exit status", code, 0)
        check.child_stderr = None
        check.equal("states a reader saw that were not one complete blob", [describe_blob(b) for b in seen_bad[:3]], [])
        final = path.read_bytes()
        check.true("the final file to be one saver's complete blob", final in blobs, observed=final)


def _valid() -> bytes:
    return BLOB_A


CORPUS = {
    "empty": b"",
    **{f"truncated-at-{n}": _valid()[:n] for n in (1, 4, 6, 8, HEADER_SIZE, HEADER_SIZE + 2, len(_valid()) // 2, len(_valid()) - 1)},
    "bit-flipped-header": bytes([_valid()[0] ^ 0x01]) + _valid()[1:],
    "bit-flipped-body": _valid()[:20] + bytes([_valid()[20] ^ 0x40]) + _valid()[21:],
    "random": bytes(range(256)) * 3,
    "foreign-zip": b"PK\x03\x04" + b"\x14\x00" * 40,
    "very-large": b"TRTC" + os.urandom(8 << 20),
}


@pytest.mark.clause("S6")
@pytest.mark.parametrize("kind", list(CORPUS))
def test_a_bad_cache_file_gives_a_clear_error_or_a_clean_cold_start(runtime, check, tmp_path, kind):
    path = tmp_path / "cache.bin"
    bad = CORPUS[kind]
    path.write_bytes(bad)
    rc = runtime.api.RuntimeCache(str(path))
    handle = runtime.handle_of(rc)
    error = None
    with check.step(f"load() and materialize over a {kind} file"):
        with capture_reports() as reports:
            try:
                rc.load()
                runtime.materialize(handle)
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
        if error is not None:
            check.true(f"a clear error message (got {error!r})", len(error.split(":", 1)[-1].strip()) > 10)
        elif bad:
            check.equal("cache contents after a cold start", bytes_of(handle.serialize()), b"")
            check.true("a warning about the bad file", bool(reports), observed="a silent cold start")
        check.equal("the bad file, untouched by load", path.read_bytes(), bad)
    with check.step("save() afterwards"):
        try:
            if handle.has_cache():
                runtime.add_kernels(handle, ENTRIES_A)
            rc.save()
        except Exception:
            pass
        after = path.read_bytes()
        if after != bad:
            try:
                decode(after)
            except CacheFormatError as exc:
                check.fail(f"the bad file was replaced by garbage: {exc}")
