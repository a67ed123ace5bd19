"""What a child does for each channel: save-side ops produce an artifact, load-side ops
consume it and observe.

Everything goes through the :class:`~pytest_trtcache.targets.base.Runtime` API, so
the same op runs against the python or cpp runtime of any target. Kernel entries are
what an engine adds while it runs (``kernel_entry(name, shape)``; the harness plays
TensorRT, see ``targets/engine_wrapper.py``), so a test predicts the bytes from the
reference model without running the target.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from typing import Any, Callable

from pytest_trtcache.targets.base import PENDING_BYTES, NotObservable, Runtime, bytes_of

from .protocol import Blob, Observation, Step

# Objects that must survive to interpreter exit (the at-exit autosave channel): a module
# global, so they die in module teardown like a user's engine held by ``__main__``.
SURVIVORS: list[Any] = []


def entries_of(step: Step) -> dict[bytes, bytes]:
    from pytest_trtcache.reference.kernels import kernel_entry

    return dict(kernel_entry(name, tuple(shape)) for name, shape in step.engine_runs)


def _warm(runtime: Runtime, handle: Any, step: Step) -> None:
    runtime.materialize(handle)
    runtime.add_kernels(handle, entries_of(step))


def _facade(runtime: Runtime, path: str, step: Step, autosave: bool = False) -> Any:
    rc = runtime.api.RuntimeCache(path, autosave_on_del=autosave)
    _warm(runtime, runtime.handle_of(rc), step)
    return rc


def _wrapper(runtime: Runtime, path: str, step: Step) -> Any:
    """An engine wrapper with an engine-implicit cache at ``path``, after its engine ran
    (the harness plays TensorRT: ``engine_wrapper.run_engine``)."""
    from pytest_trtcache.targets import engine_wrapper

    names = {name for name, _ in step.engine_runs}
    if len(names) != 1:
        raise ValueError(f"a wrapper step runs one engine, got {sorted(names)}")
    module = engine_wrapper.new_wrapper(runtime, names.pop())
    engine_wrapper.attach_path(runtime, module, path)
    engine_wrapper.run_engine(runtime, module, [shape for _, shape in step.engine_runs])
    return module


def cache_path(step: Step) -> str:
    return os.path.join(step.workdir, "cache.bin")


# -- save side ---------------------------------------------------------------------------
def save(runtime: Runtime, step: Step, obs: Observation) -> None:
    channel = step.channel
    if channel == "handle-pickle":
        handle = runtime.new_handle(cache_path(step))
        _warm(runtime, handle, step)
        _dump(step, lambda f: pickle.dump(handle, f))
    elif channel == "facade-pickle":
        rc = _facade(runtime, cache_path(step), step)
        _dump(step, lambda f: pickle.dump(rc, f))
    elif channel == "wrapper-torch-save":
        import torch

        module = _wrapper(runtime, cache_path(step), step)
        _dump(step, lambda f: torch.save(module, f))
    elif channel == "cache-file":
        rc = _facade(runtime, step.artifact, step)
        rc.save()
    elif channel == "autosave-file":
        # Engine-implicit and alive until exit: only the at-exit path can save it (A1).
        if runtime.api.wrapper_class is not None:
            SURVIVORS.append(_wrapper(runtime, step.artifact, step))
        else:
            SURVIVORS.append(_facade(runtime, step.artifact, step, autosave=True))
    elif channel == "stream":
        rc = _facade(runtime, "", step)
        with open(step.artifact, "wb") as f:
            obs.facts["written"] = rc.save_to_stream(f)
    else:  # pragma: no cover - Step validates channels
        raise ValueError(channel)


def _dump(step: Step, write: Callable[[Any], None]) -> None:
    with open(step.artifact, "wb") as f:
        write(f)


# -- load side ---------------------------------------------------------------------------
def load(runtime: Runtime, step: Step, obs: Observation) -> None:
    channel = step.channel
    if channel == "handle-pickle":
        runtimes = _pickle_owners(runtime, step)
        with open(step.artifact, "rb") as f:
            handle = pickle.load(f)
        obs.facts["path"] = handle.path
        # A pickle names its classes: the loader gets the saver's handle type (across
        # targets, the saver's implementation), and drives it with the runtime owning it.
        owner = next((rt for rt in runtimes if rt.owns(handle)), runtime)
        obs.facts["handle_runtime"] = owner.name
        _observe_handle(owner, handle, obs)
    elif channel in ("facade-pickle", "cache-file", "autosave-file", "stream"):
        owner = runtime
        if channel == "facade-pickle":
            runtimes = _pickle_owners(runtime, step)
            with open(step.artifact, "rb") as f:
                rc = pickle.load(f)
            obs.facts["path"] = rc.path
            obs.facts["autosave_on_del"] = rc.autosave_on_del
            # The saver's facade class: drive it with a runtime of the implementation it is.
            owner = next((rt for rt in runtimes if isinstance(rc, rt.api.RuntimeCache)), runtime)
        elif channel == "stream":
            rc = runtime.api.RuntimeCache("")
            with open(step.artifact, "rb") as f:
                obs.facts["read"] = rc.load_from_stream(f)
        else:
            rc = runtime.api.RuntimeCache(step.artifact)
            rc.load()
        obs.facts["handle_runtime"] = "cpp" if rc.is_cpp_runtime() else "python"
        _observe_handle(owner, owner.handle_of(rc), obs)
    elif channel == "wrapper-torch-save":
        import torch

        from pytest_trtcache.targets import engine_wrapper

        with open(step.artifact, "rb") as f:
            module = torch.load(f, weights_only=False)
        settings = module.runtime_settings
        obs.facts["settings_are_default"] = settings == engine_wrapper.loaded_settings(runtime, module)
        obs.facts["settings"] = repr(settings)
        obs.facts["implicit_cache_handle"] = repr(getattr(module, "_implicit_cache_handle", "<absent>"))
    else:  # pragma: no cover
        raise ValueError(channel)


def _pickle_owners(runtime: Runtime, step: Step) -> list[Runtime]:
    """The runtimes whose objects a pickle loaded here may be: the loader's target's, then,
    across targets, the saver's. Each is loaded first, so its classes are registered (a
    torchbind class is unknown until its library loads); the loader's stays active."""
    from pytest_trtcache.targets import resolve

    targets = [runtime.target] + ([resolve(step.saver_target, role=step.saver_role)] if step.saver_target else [])
    found = [rt for target in targets for rt in target.runtimes.values() if rt.unavailable_reason() is None]
    for rt in found:
        rt.api
    return [runtime] + [rt for rt in found if rt is not runtime]


def _observe_handle(runtime: Runtime, handle: Any, obs: Observation) -> None:
    obs.state["has_cache"] = bool(handle.has_cache())
    try:
        pending = runtime.observe(PENDING_BYTES, handle)
        obs.state["pending_bytes"] = bytes(pending or b"").hex()
    except NotObservable:
        obs.state["pending_bytes"] = None  # black-box runtime: only the drained bytes count
    runtime.materialize(handle)
    obs.serialized = Blob.of(bytes_of(handle.serialize()))


# -- at-exit autosave of many blobs at once ------------------------------------------------
@dataclass
class AutosaveFiles:
    """The payload of :func:`autosave_at_exit`: one ``[path, size]`` per file."""

    target: str
    runtime: str
    files: list[list[Any]]
    role: str = "target"


def autosave_at_exit(arg: AutosaveFiles) -> int:
    """A child (``Spawner.start("pytest_trtcache.spawn.ops:autosave_at_exit", AutosaveFiles(...))``)
    whose autosaving facades, one per file, hold a blob of that size and stay alive until
    interpreter exit: only the at-exit hook can save them (A1), each file holding exactly
    its blob."""
    from pytest_trtcache.reference.kernels import encode, entries_of_size
    from pytest_trtcache.targets import resolve
    from pytest_trtcache.targets.base import tensor_of

    runtime = resolve(arg.target, role=arg.role).runtime(arg.runtime)
    runtime.activate_process()
    for path, size in arg.files:
        rc = runtime.api.RuntimeCache(path, autosave_on_del=True)
        handle = runtime.handle_of(rc)
        handle.deserialize(tensor_of(encode(entries_of_size(size))))
        runtime.materialize(handle)
        SURVIVORS.append(rc)
    return 0
