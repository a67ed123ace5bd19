"""W1-W2: the engine wrapper drops per-process runtime settings when it is pickled."""

from __future__ import annotations

import gc
import io
import pickle
import zipfile

import pytest

from pytest_trtcache.targets import engine_wrapper

EXCLUDED = ("_runtime_settings", "_implicit_cache_handle")
MISSING = "<missing>"


def configured_wrapper(runtime, path: str):
    """A wrapper with non-default runtime settings: a path-valued cache, so an implicit handle."""
    wrapper = engine_wrapper.new_wrapper(runtime)
    engine_wrapper.attach_path(runtime, wrapper, path)
    return wrapper


def torch_save_pickle(obj) -> bytes:
    """The pickle stream inside a ``torch.save`` archive."""
    import torch

    buf = io.BytesIO()
    torch.save(obj, buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith("/data.pkl") or n == "data.pkl"]
        return archive.read(name)


def torch_roundtrip(obj):
    import torch

    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return torch.load(buf, weights_only=False)


def disarm(wrapper) -> None:
    """The implicit handle would autosave into tmp_path when collected; not what W checks."""
    handle = getattr(wrapper, "_implicit_cache_handle", None)
    if handle is not None:
        handle.autosave_on_del = False


@pytest.mark.clause("W1")
@pytest.mark.parametrize("channel", ["pickle", "torch.save"])
def test_the_wrapper_stream_holds_no_runtime_settings(runtime, check, tmp_path, channel):
    wrapper = configured_wrapper(runtime, str(tmp_path / "cache.bin"))
    check.true("the configured wrapper to hold an implicit handle", getattr(wrapper, "_implicit_cache_handle", None) is not None)
    with check.step(f"{channel} of a configured wrapper"):
        with check.no_exception(channel):
            data = pickle.dumps(wrapper) if channel == "pickle" else torch_save_pickle(wrapper)
        present = [name for name in EXCLUDED if name.encode() in data]
        check.equal("excluded attribute names in the stream", present, [])
    disarm(wrapper)


@pytest.mark.clause("W1")
def test_the_wrapper_state_excludes_runtime_settings(runtime, check, tmp_path):
    wrapper = configured_wrapper(runtime, str(tmp_path / "cache.bin"))
    with check.step("__getstate__ of a configured wrapper"):
        state = wrapper.__getstate__()
        check.equal("excluded attributes in the state", sorted(set(EXCLUDED) & set(state)), [])
    disarm(wrapper)


@pytest.mark.clause("W2")
@pytest.mark.parametrize("channel", ["pickle", "torch.save"])
def test_a_loaded_wrapper_has_default_settings_and_no_implicit_handle(runtime, check, tmp_path, channel):
    wrapper = configured_wrapper(runtime, str(tmp_path / "cache.bin"))
    defaults = engine_wrapper.loaded_settings(runtime, wrapper)
    with check.step(f"{channel} round trip of a configured wrapper"):
        with check.no_exception(f"{channel} round trip"):
            loaded = runtime.pickle_roundtrip(wrapper) if channel == "pickle" else torch_roundtrip(wrapper)
        check.equal("_runtime_settings of the loaded wrapper", getattr(loaded, "_runtime_settings", MISSING), defaults)
        check.equal("_implicit_cache_handle of the loaded wrapper", getattr(loaded, "_implicit_cache_handle", MISSING), None)
    with check.step("the original after the round trip"):
        check.true("the original to keep its implicit handle", getattr(wrapper, "_implicit_cache_handle", None) is not None)
    disarm(wrapper)
    del wrapper, loaded
    gc.collect()
