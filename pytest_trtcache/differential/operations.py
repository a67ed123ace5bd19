"""The public calls the differential machine makes, each ``op(side, *args)``.

Arguments are plain data (a path kind, an index, a blob number), so the same call means
the same thing in both sandboxes. An operation on an object the sequence dropped does
nothing and says so. Paths: ``absolute`` and ``nested`` inside the sandbox, ``relative``
and ``bare`` against the working directory (the sandbox while a step runs).
"""

from __future__ import annotations

import copy
import gc
import io
import os
import pathlib
import pickle
import weakref
from typing import Any, Callable

import torch

from pytest_trtcache.reference.kernels import encode, kernel_entry
from pytest_trtcache.targets.base import LIVE_CACHE, NotObservable, bytes_of, tensor_of

from .side import Side
from .streams import ReadOnlySource, RecordingBytesIO, WriteOnlySink

BLOBS = (b"", encode(dict([kernel_entry("conv", (1, 3))])), encode(dict([kernel_entry("gemm", (2, 2)), kernel_entry("relu", (4,))])))
KERNELS = (b"conv", b"gemm", b"pool")
PROBE = encode(dict([kernel_entry("probe", (7, 7))]))  # what a copy is changed with
DROPPED = "dropped"
NO_PATH = "no path to lock"

_PATHS: dict[str, Callable[[Side], Any]] = {
    "absolute": lambda side: os.path.join(side.sandbox, "cache.bin"),
    "nested": lambda side: os.path.join(side.sandbox, "a", "b", "cache.bin"),
    "relative": lambda side: os.path.join("rel", "cache.bin"),
    "bare": lambda side: "bare.bin",
    "empty": lambda side: "",
    "pathlib": lambda side: pathlib.Path(side.sandbox, "p.bin"),
}
FACADE_PATHS = (*_PATHS, "none")
PATHS_OF_A_FILE = tuple(kind for kind in _PATHS if kind != "empty")
HANDLE_PATHS = ("absolute", "relative", "empty")
SAVE_PATHS = ("own", "absolute", "nested", "relative", "bare", "empty", "directory")
CM_PATHS = ("absolute", "nested", "relative", "empty")
CM_BODIES = ("runs", "raises")
STREAM_KINDS = ("memory", "memory-blob", "file", "sink", "source")


def _path(side: Side, kind: str) -> Any:
    if kind == "directory":  # an existing directory where the file would go
        os.makedirs(os.path.join(side.sandbox, "adir"), exist_ok=True)
        return os.path.join(side.sandbox, "adir")
    return _PATHS[kind](side)


def _obj(side: Side, index: int) -> Any:
    entry = side.objects[index]
    return None if entry is None else entry[1]


def construct(side: Side, path_kind: str, autosave: bool) -> Any:
    cls = side.api.RuntimeCache
    facade = cls(autosave_on_del=autosave) if path_kind == "none" else cls(_path(side, path_kind), autosave_on_del=autosave)
    side.objects.append(("facade", facade))
    return facade.path


def new_handle(side: Side, path_kind: str) -> Any:
    handle = side.runtime.new_handle(_path(side, path_kind))
    side.objects.append(("handle", handle))
    return handle.path


def add_kernel(side: Side, index: int, key: bytes) -> Any:
    if _obj(side, index) is None:
        return DROPPED
    handle = side.handle(index)
    side.runtime.materialize(handle)
    side.runtime.add_kernels(handle, {key: key[::-1] * 3})
    return None


def deserialize(side: Side, index: int, blob: int, layout: str) -> Any:
    if _obj(side, index) is None:
        return DROPPED
    data = BLOBS[blob]
    # the caller's tensor: its own buffer, or a view into the middle of a bigger one
    side.caller_tensor = tensor_of(data) if layout == "plain" else tensor_of(b"\xaa" + data + b"\xbb")[1:-1]
    return side.handle(index).deserialize(side.caller_tensor)


def serialize(side: Side, index: int) -> Any:
    return DROPPED if _obj(side, index) is None else side.handle(index).serialize()


def save(side: Side, index: int, where: str) -> Any:
    facade = _obj(side, index)
    if facade is None:
        return DROPPED
    return facade.save() if where == "own" else facade.save(_path(side, where))


def load(side: Side, index: int, where: str) -> Any:
    facade = _obj(side, index)
    if facade is None:
        return DROPPED
    return facade.load() if where == "own" else facade.load(_path(side, where))


def open_stream(side: Side, kind: str, blob: int) -> Any:
    data, path = BLOBS[blob], ""
    if kind == "memory":
        stream: Any = RecordingBytesIO(b"abc", 3)  # at a non-zero position, nothing after it
    elif kind == "memory-blob":
        stream = RecordingBytesIO(b"xy" + data, 2)
    elif kind == "file":
        path = os.path.join(side.sandbox, f"stream{len(side.streams)}.bin")
        stream = open(path, "w+b")  # noqa: SIM115 - the caller's, open across steps
        stream.write(b"hd" + data)
        stream.seek(2)
    elif kind == "sink":
        stream = WriteOnlySink()
    else:
        stream = ReadOnlySource(data)
    side.streams.append((stream, path))
    return None


def save_to_stream(side: Side, index: int, stream: int) -> Any:
    facade = _obj(side, index)
    return DROPPED if facade is None else facade.save_to_stream(side.streams[stream][0])


def load_from_stream(side: Side, index: int, stream: int) -> Any:
    facade = _obj(side, index)
    return DROPPED if facade is None else facade.load_from_stream(side.streams[stream][0])


def copy_object(side: Side, index: int, how: str, handle_only: bool) -> Any:
    """A copy of a facade (or of its handle), then the copy changed and the original
    looked at: ``copy_independent`` says whether the original stayed as it was (E9)."""
    if _obj(side, index) is None:
        return DROPPED
    kind, original = side.objects[index]  # type: ignore[misc]
    if handle_only:
        kind, original = "handle", side.handle(index)
    make = {"copy": copy.copy, "deepcopy": copy.deepcopy, "pickle": lambda o: pickle.loads(pickle.dumps(o))}[how]
    twin = make(original)
    side.objects.append((kind, twin))
    before = bytes_of(side.handle(index).serialize())
    side.handle(len(side.objects) - 1).deserialize(tensor_of(PROBE))
    side.copy_independent = bytes_of(side.handle(index).serialize()) == before
    return twin.path


def _collect(objects: list[Any]) -> None:
    """Let go of ``objects`` as a caller does; collect cycles only when one is left alive
    (a full ``gc.collect()`` costs milliseconds, and the reference's objects die at once)."""
    alive = []
    while objects:
        obj = objects.pop()
        try:
            alive.append(weakref.ref(obj))
        except TypeError:  # not weak-referenceable: collect to be sure
            alive.append(lambda: True)
        del obj
    if any(ref() is not None for ref in alive):
        gc.collect()


def drop(side: Side, index: int) -> Any:
    """The caller lets go of an object: collected now (an autosaving facade saves)."""
    entry = side.objects[index]
    if entry is None:
        return DROPPED
    side.objects[index] = None
    _collect([entry[1]])
    return None


def interpreter_exit(side: Side) -> Any:
    """What the interpreter's exit runs: the hooks registered so far, last first."""
    side.atexit.fire()
    return len(side.atexit.errors)


def _under_lock(side: Side, index: int, call: Callable[[Any], Any]) -> Any:
    facade = _obj(side, index)
    if facade is None:
        return DROPPED
    if not facade.path:
        return NO_PATH
    target = os.path.abspath(os.fspath(facade.path))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with side.lock_holder.holding(target + ".lock") as wait:
        try:
            return call(facade)
        finally:
            side.lock_wait = wait  # its verdict is set as the block ends


def save_under_lock(side: Side, index: int) -> Any:
    facade = _obj(side, index)
    if facade is not None:  # something to save (through the public surface), so the save takes the lock
        facade.load_from_stream(io.BytesIO(BLOBS[1]))
    return _under_lock(side, index, lambda f: f.save())


def load_under_lock(side: Side, index: int) -> Any:
    return _under_lock(side, index, lambda f: f.load())


class BodyError(Exception):
    """What the body of a ``runtime_cache()`` block raises (``CM_BODIES``: "raises")."""


def runtime_cache_block(side: Side, where: str, body: str) -> Any:
    """``with runtime_cache(engine, path) as rc:`` around one forward of an engine;
    the body raises when asked. Returns the path of the cache the block gave."""
    api = side.api
    if api.runtime_cache is None or api.wrapper_class is None:
        raise NotObservable(f"{side.runtime.target.spec}:{side.runtime.name} has no runtime_cache() or no wrapper class", part="runtime_cache()", runtime=side.runtime.id)
    engine = api.wrapper_class("engine")
    with api.runtime_cache(engine, _path(side, where)) as rc:
        engine(torch.zeros(2, 3, dtype=torch.uint8))
        if body == "raises":
            raise BodyError("the block's body failed")
        return rc.path


def drop_all(side: Side) -> Any:
    """The end of a sequence: every object let go of inside the sandbox (relative paths
    of autosaving facades resolve there), the caller's real files closed."""
    objects = [entry[1] for entry in side.objects if entry is not None]
    side.objects.clear()
    _collect(objects)
    for stream, path in side.streams:
        if path:
            stream.close()
    return None


# A step's outcome belongs to E11 unless its operation is about another clause's dimension.
OUTCOME_OWNER = {copy_object: "E9", save_under_lock: "E6", load_under_lock: "E6"}

# The target's public calls (open_stream is the harness making a caller's stream).
CALLS = (
    construct, new_handle, add_kernel, deserialize, serialize, save, load, save_to_stream, load_from_stream,
    copy_object, drop, interpreter_exit, save_under_lock, load_under_lock, runtime_cache_block, drop_all,
)
# The calls that can show a difference in each E clause's dimension. Any call can start a
# thread, open a descriptor, change a process setting, register a hook or create a file
# (E2-E5, E7, E10); the others have calls of their own. A clause none of whose calls
# did anything on the target in a whole run (the target lacks them, or the run never drew
# them) was not observed: conformance/test_differential.py reports it so, never as a pass.
REVEALED_BY: dict[str, tuple[Callable[..., Any], ...]] = {
    "E1": (save_to_stream, load_from_stream),
    "E2": CALLS, "E3": CALLS, "E4": CALLS, "E5": CALLS, "E7": CALLS, "E10": CALLS,
    "E6": (save_under_lock, load_under_lock),
    "E8": (deserialize,),
    "E9": (copy_object,),
    "E11": tuple(call for call in CALLS if call not in OUTCOME_OWNER),
}
# The parts of a target's surface a call needs: the machine draws it only where the target
# has them all (a target without a handle class, a context manager or a wrapper).
NEEDS: dict[Callable[..., Any], tuple[str, ...]] = {
    new_handle: ("handle_class",),
    runtime_cache_block: ("runtime_cache", "wrapper_class"),
}
IDLE = (DROPPED, NO_PATH)  # what a call on a dropped object, or a lock step with no path, returns: it did nothing


def lacks(runtime: Any, call: Callable[..., Any]) -> str:
    """What ``runtime``'s target lacks for ``call`` to be drawn ("" when nothing)."""
    if call is add_kernel and LIVE_CACHE not in runtime.observes:
        return "its live cache, exposed"
    return " and ".join(part for part in NEEDS.get(call, ()) if getattr(runtime.api, part) is None)


def unexercised(clause: str, exercised: Any, runtime: Any = None) -> str:
    """Why ``clause`` was not observed when none of its calls is in ``exercised`` (the
    names of the calls that did something on the target, ``runtime``'s), else ""."""
    calls = REVEALED_BY[clause]
    if any(call.__name__ in exercised for call in calls):
        return ""
    missing = [call.__name__ for call in calls]
    if runtime is not None:
        missing = [f"{name} (the target lacks {lacks(runtime, call)})" if lacks(runtime, call) else name for name, call in zip(missing, calls)]
    return f"{clause}: none of the calls that can show it did anything on the target in this run: {', '.join(missing)}"
