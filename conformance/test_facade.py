"""F1, F2, F4: pickling and deep-copying the ``RuntimeCache`` facade, in each runtime of the target."""

from __future__ import annotations

import copy
import gc
import pickle

import pytest

from pytest_trtcache.targets.base import ATEXIT_TOKEN, bytes_of, tensor_of

from .blobs import BLOB_A, ENTRIES_B

# What an at-exit token (a partial over a weakref to the facade, or a bound method of
# it) would drag into a stream; pickle stores module and attribute names as raw UTF-8.
# What the token itself (a partial over a weakref to a module-level helper) would put in
# the stream. The attribute's *name* may stay, holding None: the token is what must go.
TOKEN_MARKERS = (b"functools", b"weakref", b"_autosave_at_exit", b"_autosave_if_enabled")


def autosaving_cache(runtime, path: str):
    rc = runtime.api.RuntimeCache(path, autosave_on_del=True)
    runtime.handle_of(rc).deserialize(tensor_of(BLOB_A))
    return rc


def disarm(rc) -> None:
    """Stop a test's facade from autosaving into tmp_path when it is collected."""
    rc.autosave_on_del = False


@pytest.mark.clause("F1")
def test_an_autosaving_facade_pickles_without_its_token(runtime, check, atexit_spy, tmp_path):
    path = str(tmp_path / "cache.bin")
    rc = autosaving_cache(runtime, path)
    with check.step("pickle.dumps of RuntimeCache(autosave_on_del=True)"):
        check.equal("at-exit hooks the constructor registered for it", len(atexit_spy.registered_for(rc)), 1)
        with check.no_exception("pickle.dumps"):
            data = pickle.dumps(rc)
        check.equal("traces of the at-exit token in the stream", [m for m in TOKEN_MARKERS if m in data], [])
    with check.step("pickle.loads of that stream"):
        with check.no_exception("pickle.loads"):
            loaded = pickle.loads(data)
        check.equal("path of the loaded facade", loaded.path, path)
        handle = runtime.handle_of(loaded)
        runtime.materialize(handle)
        check.equal("serialize() of the loaded facade's handle", bytes_of(handle.serialize()), BLOB_A)
    disarm(rc)
    disarm(loaded)


@pytest.mark.clause("F1")
def test_the_token_is_not_in_the_pickled_state(runtime, check, atexit_spy, tmp_path):
    rc = autosaving_cache(runtime, str(tmp_path / "cache.bin"))
    token = runtime.observe(ATEXIT_TOKEN, rc)
    check.true("the constructor to arm an at-exit token", token is not None)
    with check.step("__reduce_ex__ of the facade"):
        state = rc.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
        values = list(state[2].values()) if len(state) > 2 and isinstance(state[2], dict) else list(state[1:])
        check.equal("the token among the pickled state's values", any(v is token for v in values), False)
    disarm(rc)


@pytest.mark.clause("F2")
@pytest.mark.parametrize("autosave", [True, False], ids=["autosave", "no-autosave"])
def test_unpickling_re_arms_one_fresh_hook_only_when_autosave_was_on(runtime, check, atexit_spy, tmp_path, autosave):
    path = str(tmp_path / "cache.bin")
    rc = runtime.api.RuntimeCache(path, autosave_on_del=autosave)
    runtime.handle_of(rc).deserialize(tensor_of(BLOB_A))
    original = atexit_spy.registered_for(rc)
    with check.step(f"pickle round trip of RuntimeCache(autosave_on_del={autosave})"):
        loaded = runtime.pickle_roundtrip(rc)
        armed = atexit_spy.registered_for(loaded)
        check.equal("at-exit hooks registered for the loaded facade", len(armed), 1 if autosave else 0)
    if not autosave:
        return
    check.true("the loaded facade's hook to be a fresh one", all(a is not o for a in armed for o in original))
    if ATEXIT_TOKEN in runtime.observes:
        check.true("the loaded facade's token to be the registered hook", runtime.observe(ATEXIT_TOKEN, loaded) is armed[0].func)
    with check.step("call the re-armed hook (the loading process exits)"):
        disarm(rc)
        # Materialized first, as an engine would: what a pending handle serializes is
        # H9's business, not F2's.
        runtime.materialize(runtime.handle_of(loaded))
        with check.no_exception("the re-armed at-exit hook"):
            armed[0]()
        check.equal("file written by the re-armed hook", (tmp_path / "cache.bin").read_bytes() if (tmp_path / "cache.bin").exists() else None, BLOB_A)
    disarm(loaded)
    del rc, loaded
    gc.collect()


@pytest.mark.clause("F4")
@pytest.mark.parametrize("autosave", [True, False], ids=["autosave", "no-autosave"])
def test_deepcopy_of_a_facade_behaves_like_a_pickle_round_trip(runtime, check, atexit_spy, tmp_path, autosave):
    path = str(tmp_path / "cache.bin")
    rc = runtime.api.RuntimeCache(path, autosave_on_del=autosave)
    handle = runtime.handle_of(rc)
    handle.deserialize(tensor_of(BLOB_A))
    original = atexit_spy.registered_for(rc)
    with check.step(f"copy.deepcopy of a pending RuntimeCache(autosave_on_del={autosave})"):
        with check.no_exception("copy.deepcopy"):
            copied = copy.deepcopy(rc)
        check.true("a distinct facade", copied is not rc, observed="the same object (identity kept)")
        check.equal("path of the copy", copied.path, path)
        check.equal("autosave_on_del of the copy", copied.autosave_on_del, autosave)
        twin = runtime.handle_of(copied)
        check.true("the copy to have a handle of its own", twin is not handle, observed="the original's handle")
        armed = [hook for hook in atexit_spy.registered_for(copied) if all(hook is not o for o in original)]
        check.equal("fresh at-exit hooks registered for the copy", len(armed), 1 if autosave else 0)
    with check.step("materialize the copy and add kernels to it"):
        runtime.materialize(twin)
        check.equal("serialize() of the copy", bytes_of(twin.serialize()), BLOB_A)
        runtime.add_kernels(twin, ENTRIES_B)
    with check.step("the original after its copy changed"):
        check.equal("has_cache() of the original", handle.has_cache(), False)
        runtime.materialize(handle)
        check.equal("serialize() of the original", bytes_of(handle.serialize()), BLOB_A)
    disarm(rc)
    disarm(copied)
