"""A3-A8, A10-A12: autosave through ``__del__``, the at-exit hook and ``runtime_cache()``.

At-exit registrations go to a fake registry (``atexit_spy``) so a test can call the
captured hook itself; saves are counted by wrapping the facade class's ``save``.
"""

from __future__ import annotations

import copy
import gc
import weakref

import pytest
import torch

from pytest_trtcache.contract.reported import capture_reports
from pytest_trtcache.targets import engine_wrapper
from pytest_trtcache.targets.base import NotObservable, bytes_of

from .blobs import BLOB_A, ENTRIES_A


def file_bytes(path) -> "bytes | None":
    return path.read_bytes() if path.exists() else None


def warm_cache(runtime, path: str, **kw):
    """A facade whose handle is materialized and holds ENTRIES_A (what an engine run leaves)."""
    rc = runtime.api.RuntimeCache(path, **kw)
    handle = runtime.handle_of(rc)
    runtime.materialize(handle)
    runtime.add_kernels(handle, ENTRIES_A)
    return rc


@pytest.mark.clause("A3")
def test_a_collected_handle_saves_and_unregisters_its_hook(runtime, check, atexit_spy, tmp_path):
    path = tmp_path / "cache.bin"
    rc = warm_cache(runtime, str(path), autosave_on_del=True)
    mine = atexit_spy.registered_for(rc)
    check.equal("at-exit hooks registered by RuntimeCache(autosave_on_del=True)", len(mine), 1)
    with check.step("drop the last reference mid-program"):
        del rc
        gc.collect()
        check.equal("file written by __del__", file_bytes(path), BLOB_A)
        check.equal("its hooks still in the at-exit registry", [e for e in atexit_spy.live if any(e is m for m in mine)], [])


@pytest.mark.clause("A4")
@pytest.mark.parametrize("order", ["hook-then-del", "del-then-hook"])
def test_exactly_one_save_across_del_and_the_hook(runtime, check, atexit_spy, save_counter, tmp_path, order):
    path = tmp_path / "cache.bin"
    saves = save_counter()
    rc = warm_cache(runtime, str(path), autosave_on_del=True)
    hooks = atexit_spy.registered_for(rc)
    check.equal("at-exit hooks registered for the facade", len(hooks), 1)
    hook = hooks[0]
    steps = ["hook", "del"] if order == "hook-then-del" else ["del", "hook"]
    for step in steps:
        with check.step(f"{order}: {step}"):
            if step == "hook":
                with check.no_exception("the at-exit hook"):
                    hook()
            else:
                del rc
                gc.collect()
            check.equal("saves so far", saves.count, 1)
            check.equal("file content", file_bytes(path), BLOB_A)


@pytest.mark.clause("A5")
def test_the_hook_does_not_keep_the_facade_alive(runtime, check, atexit_spy, tmp_path):
    rc = warm_cache(runtime, str(tmp_path / "cache.bin"), autosave_on_del=True)
    hooks = atexit_spy.registered_for(rc)
    check.equal("at-exit hooks registered for the facade", len(hooks), 1)
    alive = weakref.ref(rc)
    with check.step("drop the facade while its hook is registered"):
        del rc
        gc.collect()
        check.equal("the facade collected (the hook holds only a weak reference)", alive() is None, True)


@pytest.mark.clause("A5")
def test_the_hook_of_a_dead_facade_does_nothing(runtime, check, atexit_spy, save_counter, tmp_path):
    path = tmp_path / "cache.bin"
    saves = save_counter()
    rc = warm_cache(runtime, str(path), autosave_on_del=True)
    hooks = atexit_spy.registered_for(rc)
    alive = weakref.ref(rc)
    del rc
    gc.collect()
    with check.step("drop the facade"):
        survivor = alive()
        held = None if survivor is None else f"held by {gc.get_referrers(survivor)!r:.200}"
        del survivor
        check.true("the facade collected once its last reference is gone", held is None, observed=held)
    saved = saves.count
    path.unlink(missing_ok=True)
    with check.step("call the hook after the facade died"):
        for hook in hooks:
            with check.no_exception("the at-exit hook of a dead facade"):
                hook()
        check.equal("saves by the dead facade's hook", saves.count - saved, 0)
        check.equal("file after the dead facade's hook", file_bytes(path), None)


@pytest.mark.clause("A6")
def test_a_user_built_cache_does_not_autosave(runtime, check, atexit_spy, save_counter, tmp_path):
    path = tmp_path / "cache.bin"
    saves = save_counter()
    rc = warm_cache(runtime, str(path))
    check.equal("autosave_on_del of RuntimeCache(path)", getattr(rc, "autosave_on_del", False), False)
    hooks = atexit_spy.registered_for(rc)
    with check.step("drop a user-built cache"):
        del rc
        gc.collect()
        check.equal("file after __del__", file_bytes(path), None)
    with check.step("call any at-exit hook it registered"):
        for hook in hooks:
            hook()
        check.equal("file after the at-exit hooks", file_bytes(path), None)
        check.equal("saves", saves.count, 0)


class _Boom(Exception):
    """Raised half way through a deepcopy."""


class _Bomb:
    def __deepcopy__(self, memo):
        raise _Boom("deepcopy fails half way")

    __reduce_ex__ = __deepcopy__


class _ExplodingHandle:
    """A handle whose state cannot be copied: deepcopy of its facade crashes half way."""

    path = ""

    def serialize(self):
        return _Bomb()

    def has_cache(self) -> bool:
        return False

    __deepcopy__ = _Bomb.__deepcopy__
    __reduce_ex__ = _Bomb.__deepcopy__


@pytest.mark.clause("A7")
def test_del_of_a_never_initialized_facade_is_silent(runtime, check, unraisable):
    cls = runtime.api.RuntimeCache
    with check.step("object.__new__(RuntimeCache), then drop it"):
        half = object.__new__(cls)
        del half
        gc.collect()
        check.equal("unraisable exceptions", [leak.format() for leak in unraisable.drain()], [])


@pytest.mark.clause("A7")
def test_del_after_a_crashed_deepcopy_is_silent(runtime, check, unraisable):
    rc = runtime.api.RuntimeCache("")
    if not hasattr(rc, "_handle"):
        raise NotObservable(f"{type(rc).__name__} has no '_handle' to make a deepcopy crash through")
    rc._handle = _ExplodingHandle()
    with check.step("copy.deepcopy that raises half way, then collect the half-built copy"):
        try:
            copy.deepcopy(rc)
        except _Boom:
            pass
        else:  # e.g. a __deepcopy__ that keeps identity (torch-tensorrt 2.13.0): no half-built copy
            raise NotObservable(f"{type(rc).__name__}'s deepcopy does not copy its state, so it cannot crash half way")
        gc.collect()
        check.equal("unraisable exceptions", [leak.format() for leak in unraisable.drain()], [])


def cm_wrapper(runtime):
    if runtime.api.runtime_cache is None or runtime.api.wrapper_class is None:
        raise NotObservable(f"{runtime.target.spec}:{runtime.name} lacks runtime_cache() or an engine wrapper")
    return engine_wrapper.new_wrapper(runtime)


def run_engine(runtime, rc) -> None:
    """What forward does inside the block, through the Runtime API (any target)."""
    handle = runtime.handle_of(rc)
    runtime.materialize(handle)
    runtime.add_kernels(handle, ENTRIES_A)


@pytest.mark.clause("A8")
def test_the_context_manager_saves_once_and_never_autosaves(runtime, check, atexit_spy, save_counter, tmp_path):
    path = tmp_path / "cache.bin"
    wrapper = cm_wrapper(runtime)
    saves = save_counter()
    with check.step("inside runtime_cache(wrapper, path)"):
        with runtime.api.runtime_cache(wrapper, str(path)) as rc:
            run_engine(runtime, rc)
            check.equal("autosave_on_del of the context manager's handle", getattr(rc, "autosave_on_del", False), False)
            check.equal("at-exit hooks registered for it", len(atexit_spy.registered_for(rc)), 0)
            check.equal("saves inside the block", saves.count, 0)
    with check.step("after the block"):
        check.equal("saves on exit", saves.count, 1)
        check.equal("file content", file_bytes(path), BLOB_A)
    with check.step("drop the context manager's handle"):
        hooks = atexit_spy.registered_for(rc)
        del rc
        gc.collect()
        for hook in hooks:
            hook()
        check.equal("saves after the handle is gone", saves.count, 1)


class _UserError(Exception):
    """The user's own exception inside the block."""


@pytest.mark.clause("A8")
def test_a_failing_save_on_exit_does_not_mask_the_users_exception(runtime, check, save_counter, tmp_path):
    wrapper = cm_wrapper(runtime)
    saves = save_counter(fail_with=OSError("disk full (injected)"))
    with check.step("raise inside runtime_cache() whose save on exit fails"):
        with pytest.raises(Exception) as info:
            with runtime.api.runtime_cache(wrapper, str(tmp_path / "cache.bin")) as rc:
                run_engine(runtime, rc)
                raise _UserError("the user's error")
        check.equal("the exception leaving the block", type(info.value).__name__, _UserError.__name__)
        check.equal("save attempts on exit", saves.count, 1)


@pytest.mark.clause("A10")
@pytest.mark.parametrize("save", ["succeeds", "fails"], ids=["save-succeeds", "save-fails"])
@pytest.mark.parametrize("body", ["returns", "raises"], ids=["body-returns", "body-raises"])
def test_leaving_the_context_manager_restores_every_engines_settings(runtime, check, save_counter, tmp_path, body, save):
    engines = (cm_wrapper(runtime), cm_wrapper(runtime))
    model = torch.nn.Sequential(*engines)
    before = [engine.runtime_settings for engine in engines]
    save_counter(fail_with=OSError("disk full (injected)") if save == "fails" else None)
    with check.step(f"runtime_cache(model, path) whose block {body} and whose save on exit {save}"):
        try:
            with runtime.api.runtime_cache(model, str(tmp_path / "cache.bin")) as rc:
                attached = [getattr(engine.runtime_settings, "runtime_cache", None) for engine in engines]
                check.true("every engine to carry the block's cache inside it", all(a is rc for a in attached), observed=attached)
                run_engine(runtime, rc)
                if body == "raises":
                    raise _UserError("the user's error")
        except _UserError:
            pass
        check.equal("runtime settings of each engine after the block", [engine.runtime_settings for engine in engines], before)


@pytest.mark.clause("A10")
def test_the_context_manager_attaches_to_engines_in_any_of_its_targets(runtime, check, tmp_path):
    engine = cm_wrapper(runtime)
    targets = [torch.nn.Linear(3, 3), torch.nn.Sequential(engine)]
    path = tmp_path / "cache.bin"
    with check.step("runtime_cache([a module with no engine, a module with one], path)"):
        with check.no_exception("entering and leaving the block"):
            with runtime.api.runtime_cache(targets, str(path)) as rc:
                attached = getattr(engine.runtime_settings, "runtime_cache", None)
                check.true("the second target's engine to carry the block's cache", attached is rc, observed=attached)
                run_engine(runtime, rc)
        check.equal("the cache file after the block", file_bytes(path), BLOB_A)


@pytest.mark.clause("A8")
def test_the_context_manager_without_autosave_never_saves(runtime, check, save_counter, tmp_path):
    wrapper = cm_wrapper(runtime)
    saves = save_counter()
    path = tmp_path / "cache.bin"
    with check.step("with runtime_cache(wrapper, path, autosave=False): run the engine"):
        with runtime.api.runtime_cache(wrapper, str(path), autosave=False) as rc:
            run_engine(runtime, rc)
        check.equal("saves on exit", saves.count, 0)
        check.equal("the cache file", file_bytes(path), None)


class _Sink:
    """A write-only stream (no ``read``), as a socket or a compressor's input is."""

    def __init__(self) -> None:
        self.data, self.writes = b"", 0

    def write(self, data: bytes) -> int:
        self.data += bytes(data)
        self.writes += 1
        return len(data)


class _Source:
    """A read-only stream (no ``write``)."""

    def __init__(self, data: bytes) -> None:
        self.data, self.reads = data, 0

    def read(self, size: int = -1) -> bytes:
        self.reads += 1
        data, self.data = self.data, b""
        return data


@pytest.mark.clause("A11")
def test_the_context_manager_writes_a_write_only_sink_once(runtime, check):
    wrapper = cm_wrapper(runtime)
    sink = _Sink()
    with check.step("runtime_cache(wrapper, sink) with a sink that has write() but no read()"):
        with check.no_exception("entering and leaving the block"):
            with runtime.api.runtime_cache(wrapper, sink) as rc:
                run_engine(runtime, rc)
        check.equal("write() calls on exit", sink.writes, 1)
        check.equal("bytes written to the sink", sink.data, BLOB_A)


@pytest.mark.clause("A11")
def test_the_context_manager_reads_a_read_only_source_once(runtime, check):
    wrapper = cm_wrapper(runtime)
    source = _Source(BLOB_A)
    with check.step("runtime_cache(wrapper, source) with a source that has read() but no write()"):
        with capture_reports() as reports:
            with check.no_exception("entering and leaving the block"):
                with runtime.api.runtime_cache(wrapper, source) as rc:
                    handle = runtime.handle_of(rc)
                    runtime.materialize(handle)
                    check.equal("serialize() inside the block", bytes_of(handle.serialize()), BLOB_A)
        check.equal("read() calls", source.reads, 1)
        check.equal("warnings or errors reported (a write attempted on a read-only source)", reports.records, [])


@pytest.mark.clause("A12")
@pytest.mark.parametrize("bad", [42, None, b"cache.bin"], ids=["int", "None", "bytes"])
def test_the_context_manager_refuses_a_path_it_cannot_use(runtime, check, bad):
    if runtime.api.runtime_cache is None:
        raise NotObservable(f"{runtime.target.spec}:{runtime.name} lacks runtime_cache()")
    with check.step(f"runtime_cache(torch.nn.Linear(3, 3), {bad!r})"):
        try:  # the path is refused at the call, before the targets are looked at
            runtime.api.runtime_cache(torch.nn.Linear(3, 3), bad)
        except TypeError as exc:
            check.true(f"a message naming the type (got {exc})", type(bad).__name__ in str(exc))
        else:
            check.fail(f"expected TypeError for a path of type {type(bad).__name__}, observed none")


@pytest.mark.clause("A12")
def test_the_context_manager_refuses_targets_without_an_engine(runtime, check, tmp_path):
    if runtime.api.runtime_cache is None:
        raise NotObservable(f"{runtime.target.spec}:{runtime.name} lacks runtime_cache()")
    path = tmp_path / "cache.bin"
    path.write_bytes(BLOB_A)
    with check.step("with runtime_cache(torch.nn.Linear(3, 3), path)"):
        entered = False
        try:
            with runtime.api.runtime_cache(torch.nn.Linear(3, 3), str(path)):
                entered = True
        except RuntimeError:
            pass
        check.equal("the block entered without an engine", entered, False)
        check.equal("files in the directory (no lock, no temp)", sorted(p.name for p in tmp_path.iterdir()), ["cache.bin"])
        check.equal("the cache file", path.read_bytes(), BLOB_A)
