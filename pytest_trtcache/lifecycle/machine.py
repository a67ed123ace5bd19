"""The lifecycle machine: its rules and invariants, and the factory that binds it to a runtime."""

from __future__ import annotations

import contextlib
import copy
import gc
import io
import os
import pickle
import shutil
import stat
import time
import weakref
from typing import Any, Callable, Iterable, Optional, Union

from hypothesis import settings as Settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, multiple, precondition, rule

from pytest_trtcache.check import Check, describe
from pytest_trtcache.faults import Injector, inject
from pytest_trtcache.lifecycle.channel import Channel
from pytest_trtcache.lifecycle.disk import _default_tmp_dir, _read, _temp_files
from pytest_trtcache.lifecycle.model import Model, World
from pytest_trtcache.lifecycle.recorders import AtexitRecorder, SaveRecorder
from pytest_trtcache.lifecycle.strategies import (
    BAD_FILES,
    CM_EXITS,
    CONCURRENT_BLOB,
    CONCURRENT_SAVERS,
    FACADE,
    HANDLE,
    KEYS,
    KINDS,
    LAYOUTS,
    SYMLINK_AT,
    THREADS,
    WRAPPER_EXCLUDED,
    WRONG_DTYPES,
    entries_strategy,
)
from pytest_trtcache.lifecycle.threads import THREAD_TIMEOUT_S, _together
from pytest_trtcache.reference.kernels import decode, describe_blob, encode
from pytest_trtcache.reported import Reports, capture_reports
from pytest_trtcache.targets.base import ATEXIT_TOKEN, PENDING_BYTES, NotObservable, Runtime, bytes_of, layout_of
from pytest_trtcache.unraisable import UnraisableRecorder


class _Crash(Exception):
    """Raised half way through a ``deepcopy`` (A7)."""


# -- the machine ----------------------------------------------------------------------
class _MachineCheck(Check):
    """A :class:`Check` whose verdict ends with the code that binds the machine, so the
    steps hypothesis prints below it run as a program."""

    def __init__(self, clause: str, runtime: Optional[str], setup: str) -> None:
        super().__init__(clause, runtime)
        self.setup = setup

    def verdict(self, message: str) -> str:
        return f"{super().verdict(message)}\nreproduce with: {self.setup}"


_RULES_OF_KIND = {
    HANDLE: ("create_handle", "pickle_handle", "deepcopy_handle", "drop_handle"),
    FACADE: (
        "create_facade", "pickle_facade", "deepcopy_facade", "drop_facade", "save_to_file", "load_from_file", "stream_copy",
        "enter_runtime_cache", "runtime_cache_runs_kernels", "pickle_engine_wrapper", "exit_runtime_cache", "fire_atexit",
        "create_facade_in_spoiled_directory", "spoil_directory", "open_bad_cache_file", "save_past_planted_symlink", "concurrent_saves",
    ),
}


class _UserError(Exception):
    """The user's own exception inside a ``runtime_cache()`` block (A8)."""


def lifecycle_machine(
    runtime: Runtime,
    *,
    tmp_dir_factory: Callable[[], str] = _default_tmp_dir,
    kinds: Iterable[str] = KINDS,
    channel: Optional[Channel] = None,
    skip_clauses: Iterable[str] = (),
    unchecked: Iterable[str] = (),
    setup: str = "",
) -> type[RuleBasedStateMachine]:
    """A state machine class checking ``runtime`` against :class:`Model`.

    ``kinds`` restricts the objects it makes (``"handle"``, ``"facade"``);
    ``channel`` enables the cross-process rule; ``skip_clauses`` are known gaps whose
    comparisons are not asserted (and are listed in ``not_observed``); ``unchecked`` are
    clauses this machine leaves to another one (not asserted, not listed: the
    conformance suite checks required clauses in one run and the rest in another, so a
    target's extension finding does not stop the check of its required contract); ``setup`` is the
    Python code that binds ``LifecycleMachine``, printed with a failure so the shrunk
    steps hypothesis prints run as they are.
    """
    kinds = tuple(kinds)
    skip, unchecked = frozenset(skip_clauses), frozenset(unchecked)
    # Probes whose violation would leave the model behind, so that later steps blame a
    # clause that did hold: off when their own clause is not asserted.
    quiet = skip | unchecked
    setup = setup or f"# LifecycleMachine = lifecycle_machine(<runtime {runtime!r}>)"
    api = runtime.api
    handles, facades = Bundle("handles"), Bundle("facades")
    # Rules on any object draw only from the bundles this machine fills: drawing from an
    # always-empty bundle is filtered, and enough filtering fails a health check.
    objs = handles | facades if len(kinds) == 2 else (handles if HANDLE in kinds else facades)

    class LifecycleMachine(RuleBasedStateMachine):
        not_observed: dict[str, str] = {}  # what this runtime did not let the machine see
        steps_run: list[int] = []  # steps per example (for the power script)

        def __init__(self) -> None:
            super().__init__()
            self.tmp = tmp_dir_factory()
            self.world = World()
            self.objects: dict[str, Any] = {}
            self.refs: dict[str, Any] = {}  # weakrefs, to see the dead-weakref state
            self.id_to_label: dict[int, str] = {}
            self.counter = 0
            self.step = "LifecycleMachine()"
            self.steps = 0
            self.cm: Optional[tuple[Any, Any, str]] = None  # (context manager, module, label)
            self.explicit_path = os.path.join(self.tmp, "explicit.bin")
            self.cm_path = os.path.join(self.tmp, "cm", "cm.bin")
            os.makedirs(os.path.dirname(self.cm_path), mode=0o700)
            self._closers: list[Callable[[], None]] = []
            # Objects alive before the machine are not ours: freezing them makes the
            # gc.collect() after each drop cost microseconds instead of ~0.2 s with torch.
            gc.freeze()
            self._closers.append(gc.unfreeze)
            self._active = runtime.active()
            self._active.__enter__()
            self._closers.append(lambda: self._active.__exit__(None, None, None))
            self.leaks = UnraisableRecorder().__enter__()
            self._closers.append(lambda: self.leaks.__exit__(None, None, None))
            self.atexit = AtexitRecorder().__enter__()
            self._closers.append(lambda: self.atexit.__exit__(None, None, None))
            self.saves = SaveRecorder(api.RuntimeCache, lambda obj: self.id_to_label.get(id(obj), "")).__enter__()
            self._closers.append(lambda: self.saves.__exit__(None, None, None))
            self.wrapper_error = ""
            self.saved_concurrently = False
            if api.runtime_cache is None or api.wrapper_class is None:
                self.wrapper_error = "the target has no runtime_cache() or no wrapper class"

        # -- helpers --------------------------------------------------------------------
        def check(self, clause: str) -> Check:
            c = _MachineCheck(clause, runtime.id, setup)
            c.current_step = self.step
            return c

        def expect(self, clause: str, what: str, observed: Any, expected: Any, child_stderr: str = "") -> None:
            if observed == expected or clause in unchecked:
                return
            if clause in skip:
                type(self).not_observed.setdefault(clause, f"[{clause}] skipped as a known gap: {what}")
                return
            c = self.check(clause)
            c.child_stderr = child_stderr or None
            c.fail(f"{what}: expected {describe(expected)}, observed {describe(observed)}")

        def unobserved(self, exc: NotObservable) -> None:
            type(self).not_observed.setdefault(str(exc), str(exc))

        def begin(self, text: str) -> None:
            self.step = text
            self.steps += 1

        def new_label(self, kind: str, obj: Any, model: Model) -> str:
            self.counter += 1
            label = f"{kind[0]}{self.counter}"
            self.objects[label], self.world.objects[label] = obj, model
            self.id_to_label[id(obj)] = label
            try:
                self.refs[label] = weakref.ref(obj)
            except TypeError:
                self.unobserved(NotObservable(f"{runtime.id}: {type(obj).__name__} objects take no weakref (dead-weakref state)"))
            return label

        def handle(self, label: str) -> Any:
            obj = self.objects[label]
            return obj if self.world.objects[label].kind == HANDLE else runtime.handle_of(obj)

        def path_for(self, with_path: bool) -> str:
            """A path in a directory of its own (``d<n>/p<n>.bin``): spoil_directory acts on one object."""
            if not with_path:
                return ""
            directory = os.path.join(self.tmp, f"d{self.counter + 1}")
            os.makedirs(directory, mode=0o700, exist_ok=True)
            return os.path.join(directory, f"p{self.counter + 1}.bin")

        def scratch_dir(self, prefix: str) -> str:
            self.counter += 1
            directory = os.path.join(self.tmp, f"{prefix}{self.counter}")
            os.makedirs(directory, mode=0o700)
            return directory

        @contextlib.contextmanager
        def reported(self) -> Iterable[Reports]:
            """Capture reports for a step that may autosave; then check the reports the
            model says are due (A9, X2) and settle files a refused-or-reported save may
            or may not have written."""
            self.world.reports_due = []
            with capture_reports() as reports:
                yield reports
            self.settle_shared_saves()
            for clause, why in self.world.reports_due:
                self.expect(clause, f"{why} reported (a warning, or a log record at WARNING); reports: {reports.text() or 'none'}", bool(reports), True)
            self.world.reports_due = []

        def settle_shared_saves(self, child_stderr: str = "") -> None:
            """Judge the files a refused-or-reported save into a shared directory may or may
            not have written (X2), then take them as they are."""
            for path, allowed in sorted(self.world.either.items()):
                on_disk = _read(path)
                if on_disk not in allowed:
                    self.expect("X2", f"contents of {os.path.basename(path)} after a save into a shared directory (old, or one saver's blob)", on_disk, sorted(allowed, key=repr)[-1], child_stderr)
                self.world.saw(path, on_disk)
            self.world.either = {}

        def copy_of(self, label: str, how: str, made: Any = None) -> Any:
            m = self.world.objects[label]
            clause = ("H5" if how == "pickle" else "H6") if m.kind == HANDLE else "F1"
            c = self.check(clause)
            obj = made
            if obj is None:
                with c.no_exception(f"{how} of a {m.state} {m.kind}"):
                    obj = runtime.pickle_roundtrip(self.objects[label]) if how == "pickle" else copy.deepcopy(self.objects[label])
            if obj is self.objects[label]:  # a __deepcopy__ that keeps identity (torch-tensorrt 2.13.0's facade)
                self.unobserved(NotObservable(f"{runtime.id}: {how} of a {m.kind} returns the object itself, so there is no copy to check"))
                return multiple()
            loaded = m.loaded_copy()
            self.expect(clause, f"path of the {how} copy", obj.path, m.path)
            return self.new_label(m.kind, obj, loaded)

        # -- rules: creation ------------------------------------------------------------
        @rule(target=handles, with_path=st.booleans())
        def create_handle(self, with_path: bool) -> str:
            self.begin(f"create_handle(with_path={with_path})")
            path = self.path_for(with_path)
            return self.new_label(HANDLE, runtime.new_handle(path), Model(HANDLE, path))

        @rule(target=facades, with_path=st.booleans(), autosave=st.booleans())
        def create_facade(self, with_path: bool, autosave: bool) -> str:
            self.begin(f"create_facade(with_path={with_path}, autosave={autosave})")
            path = self.path_for(with_path)
            obj = api.RuntimeCache(path, autosave_on_del=autosave)
            return self.new_label(FACADE, obj, Model(FACADE, path, autosave=autosave, registered=autosave))

        @rule(target=facades, how=st.sampled_from(("broken", "shared")), entries=entries_strategy)
        def create_facade_in_spoiled_directory(self, how: str, entries: dict[bytes, bytes]) -> str:
            """An autosaving facade that ran an engine, whose directory is broken (a file
            stands there: its saves fail, A9) or writable by others (X2). Its own rule: as
            a drawn option of create_facade, hypothesis's preference for simple values
            made it too rare to meet an autosave."""
            self.begin(f"create_facade_in_spoiled_directory({how!r}, {entries!r})")
            path = self.path_for(True)
            self.spoil(os.path.dirname(path), how)
            label = self.new_label(FACADE, api.RuntimeCache(path, autosave_on_del=True), Model(FACADE, path, autosave=True, registered=True))
            self.add_kernels(label, entries)
            return label

        # -- rules: the handle's lifecycle (H1-H6, H9) --------------------------------
        @rule(obj=objs, entries=entries_strategy, layout=st.sampled_from(LAYOUTS))
        def deserialize(self, obj: str, entries: dict[bytes, bytes], layout: str) -> None:
            if layout not in ("contiguous", "empty") and "H8" in quiet:
                layout = "contiguous"  # a layout read wrongly would show later, as H1 or H2
            self.begin(f"deserialize({obj}, layout_of(encode({entries!r}), {layout!r}))")
            blob, m, handle = (b"" if layout == "empty" else encode(entries)), self.world.objects[obj], self.handle(obj)
            with self.check("H4" if layout == "empty" else "H8").no_exception(f"deserialize of a {layout} uint8 tensor"):
                handle.deserialize(layout_of(blob, layout))
            m.deserialize(blob)
            if layout == "empty":  # H4 at once: nothing changed
                if m.entries is not None:
                    self.expect("H4", "serialize() after deserializing an empty tensor", bytes_of(handle.serialize()), m.blob())
                return
            if layout == "contiguous":
                return
            # H8 at once: a layout read wrongly shows here, not later as a lost entry
            if m.entries is not None:
                self.expect("H8", f"serialize() after deserializing a {layout} tensor", bytes_of(handle.serialize()), m.blob())
            else:
                try:
                    self.expect("H8", f"pending bytes after deserializing a {layout} tensor", bytes(runtime.observe(PENDING_BYTES, handle) or b""), m.pending)
                except NotObservable as exc:
                    self.unobserved(exc)

        @precondition(lambda self: "H8" not in quiet)  # accepted garbage leaves no model to follow
        @rule(obj=objs, dtype=st.sampled_from(WRONG_DTYPES))
        def deserialize_wrong_dtype(self, obj: str, dtype: str) -> None:
            import torch

            self.begin(f"deserialize({obj}, torch.zeros(8, dtype=torch.{dtype})) [{self.world.objects[obj].state}]")
            try:
                self.handle(obj).deserialize(torch.zeros(8, dtype=getattr(torch, dtype)))
            except Exception as exc:  # any clear error will do; it must say why
                text = f"{type(exc).__name__}: {exc}"
                self.expect("H8", f"the error to name the dtype, uint8 or bytes (got {text})", any(w in text.lower() for w in ("uint8", "dtype", "byte")), True)
            else:
                self.expect("H8", f"deserialize of a {dtype} tensor", "accepted (its memory taken as cache bytes)", "a clear error")

        @rule(obj=objs, threads=st.sampled_from(THREADS))
        def materialize(self, obj: str, threads: int) -> None:
            self.begin(f"materialize({obj})" + (f" from {threads} threads at once" if threads > 1 else ""))
            config = runtime.new_runtime_config()
            if threads == 1:
                runtime.materialize(self.handle(obj), config)
            else:
                self.materialize_concurrently(self.handle(obj), config, threads)
            created = self.world.objects[obj].materialize()
            if runtime.materializes_with_config and hasattr(config, "created"):
                self.expect("H3" if threads > 1 else "H2", "live caches the config created", config.created, created)

        def materialize_concurrently(self, handle: Any, config: Any, threads: int) -> None:
            """H3: ``threads`` threads released together; a slow ``create_runtime_cache``
            widens the check-then-create window an unlocked handle would lose."""
            create = getattr(config, "create_runtime_cache", None)
            if create is not None:

                def slow_create(*args: Any, **kwargs: Any) -> Any:
                    time.sleep(0.005)
                    return create(*args, **kwargs)

                with contextlib.suppress(AttributeError, TypeError):
                    config.create_runtime_cache = slow_create
            hung, errors = _together([lambda: runtime.materialize(handle, config)] * threads)
            self.expect("H3", f"threads still materializing after {THREAD_TIMEOUT_S:g} s (a deadlock)", hung, 0)
            self.expect("H3", "exceptions in the materializing threads", errors, [])

        @rule(obj=objs, entries=entries_strategy)
        def add_kernels(self, obj: str, entries: dict[bytes, bytes]) -> None:
            """What an engine's forward does: materialize, then add compiled kernels."""
            self.begin(f"add_kernels({obj}, {entries!r})")
            handle, m = self.handle(obj), self.world.objects[obj]
            runtime.materialize(handle, runtime.new_runtime_config())
            m.materialize()
            try:
                runtime.add_kernels(handle, entries)
            except NotObservable as exc:  # the runtime gives no way to add entries
                self.unobserved(exc)
                return
            m.entries.update(entries)

        @rule(obj=objs)
        def serialize(self, obj: str) -> None:
            m = self.world.objects[obj]
            self.begin(f"serialize({obj}) [{m.state}]")
            clause = "H9" if m.entries is None else "H2"
            self.expect(clause, f"serialize() of a {m.state} {m.kind}", bytes_of(self.handle(obj).serialize()), m.blob())

        @rule(target=handles, obj=handles)
        def pickle_handle(self, obj: str) -> str:
            self.begin(f"pickle round trip of {obj}")
            return self.copy_of(obj, "pickle")

        @rule(target=handles, obj=handles)
        def deepcopy_handle(self, obj: str) -> str:
            self.begin(f"copy.deepcopy({obj})")
            return self.copy_of(obj, "deepcopy")

        @rule(target=facades, obj=facades)
        def pickle_facade(self, obj: str) -> str:
            self.begin(f"pickle round trip of {obj}")
            return self.copy_of(obj, "pickle")

        @rule(target=facades, obj=facades, crash=st.sampled_from((False, False, True)))
        def deepcopy_facade(self, obj: str, crash: bool) -> Any:
            if not crash:
                self.begin(f"copy.deepcopy({obj})")
                return self.copy_of(obj, "deepcopy")
            import torch

            self.begin(f"copy.deepcopy({obj}) crashing half way (a tensor's __deepcopy__ raises), then gc.collect()")
            original = torch.Tensor.__deepcopy__

            def crash_(tensor: Any, memo: Any) -> Any:
                raise _Crash("deepcopy crashed half way (injected)")

            torch.Tensor.__deepcopy__ = crash_
            try:
                made = copy.deepcopy(self.objects[obj])
            except _Crash:
                made = None
            finally:
                torch.Tensor.__deepcopy__ = original
            if made is not None:  # its state holds no tensor to crash on: an ordinary copy
                self.unobserved(NotObservable(f"{runtime.id}: a facade's deepcopy copies no tensor, so it cannot be made to crash half way (A7)"))
                return self.copy_of(obj, "deepcopy", made=made)  # (which also handles a kept identity)
            gc.collect()
            leaks, self.leaks.leaks = self.leaks.leaks, []
            self.expect("A7", "unraisable exceptions from the half-built copy's __del__", [leak.format() for leak in leaks], [])
            return multiple()

        # -- rules: files and streams (S1-S3) -------------------------------------------
        @rule(obj=facades, interrupt=st.one_of(st.none(), st.integers(0, 4)))
        def save_to_file(self, obj: str, interrupt: Optional[int]) -> None:
            """An explicit save; ``interrupt``: the save raises at that file-system event of
            its own (``pytest_trtcache.faults``), as a full disk or a crash would (S4)."""
            if "S4" in quiet:
                interrupt = None  # a temp file left behind would show later, as S1
            self.begin(f"{obj}.save(explicit.bin)" + (f" failing at its file-system event #{interrupt}" if interrupt is not None else ""))
            m, injector = self.world.objects[obj], Injector(self.tmp, at=interrupt)
            old = self.world.files.get(self.explicit_path)
            with self.saves.by_machine():
                if interrupt is None:
                    self.objects[obj].save(self.explicit_path)
                else:
                    with inject(injector), contextlib.suppress(OSError):  # the fault, passed on or wrapped
                        self.objects[obj].save(self.explicit_path)
            if interrupt is None or len(injector.events) <= interrupt:
                self.world.save(m, self.explicit_path)  # the fault point was never reached
                return
            event = "%s %s" % injector.events[interrupt]
            on_disk, new = _read(self.explicit_path), (m.blob() or old)
            self.expect("S4", f"temp files left by a save interrupted at {event}", _temp_files(self.tmp), [])
            if on_disk == new and on_disk != old:
                self.world.save(m, self.explicit_path)
            elif on_disk != old:
                self.expect("S4", f"explicit.bin after a save interrupted at {event}: the old complete file (or the new one)", on_disk, new)
                self.world.saw(self.explicit_path, on_disk)  # a known gap: judge what follows on what is there

        @rule(obj=facades)
        def load_from_file(self, obj: str) -> None:
            self.begin(f"{obj}.load(explicit.bin)")
            missing = not os.path.exists(self.explicit_path)
            with self.check("S2" if missing else "S3").no_exception("load() of " + ("a missing file (a first run)" if missing else "explicit.bin")):
                self.objects[obj].load(self.explicit_path)
            # The file as it is: the invariants already compared it with the model after
            # the save, and a known gap may have let it differ since.
            on_disk = _read(self.explicit_path)
            self.world.saw(self.explicit_path, on_disk)
            self.world.objects[obj].deserialize(on_disk or b"")

        @rule(src=facades, dst=facades)
        def stream_copy(self, src: str, dst: str) -> None:
            self.begin(f"{src}.save_to_stream(buf); {dst}.load_from_stream(buf)")
            blob, buf = self.world.objects[src].blob(), io.BytesIO()
            with self.saves.by_machine():
                written = self.objects[src].save_to_stream(buf)
            # While pending, "writes the pending bytes" is H9's promise; S3's is "writes
            # exactly serialize()", which a pending-empty serialize() keeps.
            clause = "H9" if self.world.objects[src].entries is None else "S3"
            self.expect(clause, "bytes save_to_stream() wrote", buf.getvalue(), blob)
            self.expect(clause, "count save_to_stream() returned", written, len(blob))
            # From here on, the stream's actual bytes: a known gap above may have let them
            # differ from the model's, and the load must be judged on what it was given.
            moved = buf.getvalue()
            read = self.objects[dst].load_from_stream(io.BytesIO(moved))
            self.expect("S3", "count load_from_stream() returned", read, len(moved))
            self.world.objects[dst].deserialize(moved)

        # -- rules: runtime_cache() (A8) ------------------------------------------------
        @precondition(lambda self: self.cm is None and not self.wrapper_error)
        @rule(entries=entries_strategy)
        def enter_runtime_cache(self, entries: dict[bytes, bytes]) -> None:
            """Enter the block and run the engine once, as any use of the block does."""
            self.begin("enter runtime_cache(module, cm/cm.bin)")
            module = api.wrapper_class()
            cm = api.runtime_cache(module, self.cm_path)
            obj = cm.__enter__()
            m = Model(FACADE, self.cm_path, cm=True)
            m.deserialize(self.world.files.get(self.cm_path, b""))
            label = self.new_label(FACADE, obj, m)
            self.cm = (cm, module, label)
            self.runtime_cache_runs_kernels(entries)

        @precondition(lambda self: self.cm is not None)
        @rule(entries=entries_strategy)
        def runtime_cache_runs_kernels(self, entries: dict[bytes, bytes]) -> None:
            self.add_kernels(self.cm[2], entries)
            self.step = f"inside runtime_cache(): {self.step}"

        @precondition(lambda self: self.cm is not None)
        @rule()
        def pickle_engine_wrapper(self) -> None:
            """W1, W2: the engine inside runtime_cache() pickled: its stream holds none of its
            per-process settings, and the loaded engine has the defaults, no cache."""
            self.begin("pickle round trip of the engine inside runtime_cache()")
            module = self.cm[1]
            c = self.check("W1")
            with c.no_exception("pickle of the engine wrapper"):
                data = pickle.dumps(module)
            self.expect("W1", "per-process attributes named in the wrapper's pickle stream", [n for n in WRAPPER_EXCLUDED if n.encode() in data], [])
            with self.check("W2").no_exception("unpickle of the engine wrapper"):
                loaded = pickle.loads(data)
            defaults = getattr(api.wrapper_class(), "_runtime_settings", "<missing>")
            self.expect("W2", "_runtime_settings of the loaded wrapper", getattr(loaded, "_runtime_settings", "<missing>"), defaults)
            self.expect("W2", "_implicit_cache_handle of the loaded wrapper", getattr(loaded, "_implicit_cache_handle", "<missing>"), None)
            del loaded, data
            gc.collect()

        @precondition(lambda self: self.cm is not None)
        @rule(how=st.sampled_from(CM_EXITS))
        def exit_runtime_cache(self, how: tuple[bool, bool]) -> None:
            """Leave the block normally or by the user's exception, the save on exit
            succeeding or failing (``cm/`` is now a file): reported (A9), never masking
            the user's exception (A8)."""
            user_error, save_fails = how
            self.begin("exit runtime_cache()" + (" by the user's exception" if user_error else "") + (" whose save fails (cm/ is now a file)" if save_fails else ""))
            cm, _module, label = self.cm
            self.cm = None
            m, cm_dir = self.world.objects[label], os.path.dirname(self.cm_path)
            if save_fails:
                self.spoil(cm_dir, "broken")
            error = _UserError("the user's error inside runtime_cache()") if user_error else None
            raised: Optional[str] = None
            with self.reported():
                try:
                    swallowed = cm.__exit__(type(error), error, None) if error else cm.__exit__(None, None, None)
                except Exception as exc:
                    # its text only: the traceback's frames hold the facade (A5 would see it kept)
                    raised, swallowed = f"{type(exc).__name__}: {exc}", False
                m.saves += 1  # A8: exactly once on exit
                self.world.save(m, m.path)
                if user_error:  # A8 before A9: a masked exception is the bigger harm
                    leaving = raised if raised is not None else ("nothing (swallowed)" if swallowed else repr(error))
                    self.expect("A8", "the exception leaving the block (the user's, not masked)", leaving, repr(error))
                elif raised is not None:
                    self.world.reports_due = []  # an error is a report too
            if save_fails:
                os.unlink(cm_dir)
                os.makedirs(cm_dir, mode=0o700)
                del self.world.dir_state[cm_dir]
            if raised is not None and not user_error and not save_fails:
                self.expect("A8", "exiting runtime_cache() normally", raised, "no exception")
            del cm, _module, error
            self.drop_label(label)

        # -- rules: death and shutdown (A1, A3-A5) --------------------------------------
        def drop_label(self, label: str) -> None:
            m = self.world.objects[label]
            del self.objects[label]
            gc.collect()
            ref = self.refs.get(label)
            if ref is not None:
                self.expect("A5", f"{label} collected once the machine dropped it (nothing else may hold it)", ref() is None, True)
            self.id_to_label = {k: v for k, v in self.id_to_label.items() if v != label}
            if m.kind == FACADE and not m.cm:
                self.world.autosave(m)
            m.registered, m.dead = False, True

        @rule(obj=consumes(handles))
        def drop_handle(self, obj: str) -> None:
            self.begin(f"del {obj}; gc.collect()")
            self.drop_label(obj)

        @rule(obj=consumes(facades))
        def drop_facade(self, obj: str) -> None:
            self.begin(f"del {obj}; gc.collect()")
            if self.cm is not None and obj == self.cm[2]:
                return  # the context manager still holds it
            with self.reported():
                self.drop_label(obj)

        @rule()
        def fire_atexit(self) -> None:
            self.begin("interpreter exit: run the at-exit hooks")
            with self.reported():
                self.atexit.fire()
                # atexit runs hooks last-registered first; a facade registers when it is
                # created (or loaded), so the model replays their saves newest first: with two
                # facades on one path, the oldest one's save is the one that stays.
                for _label, m in reversed(list(self.world.live(FACADE))):
                    if m.registered:
                        self.world.autosave(m)
                    m.registered = False
            self.expect("A2", "exceptions raised by at-exit hooks", self.atexit.errors, [])

        # -- rules: the hostile world (X1, X2, A9, S5, S6) ---------------------------------
        def spoil(self, directory: str, how: str) -> None:
            if how == "broken":  # every save there fails, as on a full or read-only disk (A9)
                shutil.rmtree(directory)
                with open(directory, "wb") as f:
                    f.write(b"a file where the cache directory was\n")
                for path in [p for p in self.world.files if os.path.dirname(p) == directory]:
                    del self.world.files[path]
                    self.world.pending_writes.discard(path)
            else:  # writable by others, like /tmp (X2)
                os.chmod(directory, 0o777 | stat.S_ISVTX)
            self.world.dir_state[directory] = how

        @rule(obj=facades, how=st.sampled_from(("broken", "shared")))
        def spoil_directory(self, obj: str, how: str) -> None:
            m = self.world.objects[obj]
            directory = os.path.dirname(m.path) if m.path else ""
            self.begin(f"make {obj}'s directory {how}" + ("" if directory else " (it has no path: nothing to do)"))
            if directory and directory not in self.world.dir_state:
                self.spoil(directory, how)

        @rule(target=facades, kind=st.sampled_from(sorted(BAD_FILES)))
        def open_bad_cache_file(self, kind: str) -> Any:
            """S6: a cache over a bad file: a clear error, or a cold start that says so; the
            file stays as it was until a real save replaces it."""
            bad, path = BAD_FILES[kind], self.path_for(True)
            with open(path, "wb") as f:
                f.write(bad)
            self.world.files[path] = bad
            self.begin(f"RuntimeCache({os.path.basename(path)} holding a {kind} file).load(); materialize")
            obj, error = api.RuntimeCache(path), None
            with capture_reports() as reports:
                try:
                    obj.load()
                    runtime.materialize(runtime.handle_of(obj), runtime.new_runtime_config())
                except Exception as exc:
                    error = f"{type(exc).__name__}: {exc}"
            self.expect("S6", f"the {kind} file after load()", _read(path), bad)
            if error is not None:
                self.expect("S6", f"a clear error message (got {error!r})", len(error.split(":", 1)[-1].strip()) > 10, True)
                del obj
                gc.collect()
                self.counter += 1
                return multiple()
            if bad:
                self.expect("S6", f"a report that the {kind} file was discarded (else a silent cold start); reports: {reports.text() or 'none'}", bool(reports), True)
            return self.new_label(FACADE, obj, Model(FACADE, path, entries={}))

        @rule(obj=facades, where=st.sampled_from(SYMLINK_AT))
        def save_past_planted_symlink(self, obj: str, where: str) -> None:
            """X1: another user planted a symlink at the temp, lock or target path of a save;
            the file it points at (the victim's own) is never written."""
            directory = self.scratch_dir("x")
            path, victim = os.path.join(directory, "cache.bin"), os.path.join(self.tmp, f"victim{self.counter}.txt")
            precious = b"a file of the user's own, which the planted symlink points at\n"
            with open(victim, "wb") as f:
                f.write(precious)
            os.symlink(victim, {"temp": path + ".tmp", "lock": path + ".lock", "target": path}[where])
            m = self.world.objects[obj]
            self.begin(f"{obj}.save(x{self.counter}/cache.bin) [{m.state}] past a symlink planted at the {where} path")
            with self.saves.by_machine(), contextlib.suppress(Exception):  # refusing is allowed; writing through is not
                self.objects[obj].save(path)
            self.expect("X1", "the file the planted symlink points at", _read(victim), precious)
            if where == "target" and m.blob() and os.path.isfile(path) and not os.path.islink(path):
                self.expect("X1", "the cache file that replaced the symlink", _read(path), m.blob())
            shutil.rmtree(directory)
            os.unlink(victim)

        @precondition(lambda self: not self.saved_concurrently)  # once an example: a lock wait costs ~50 ms
        @rule()
        def concurrent_saves(self) -> None:
            """S5: savers in threads of this process write big blobs to one path at once;
            the file is one saver's complete blob, nobody fails, nobody hangs."""
            self.saved_concurrently = True
            directory = self.scratch_dir("s")
            path = os.path.join(directory, "cache.bin")
            self.begin(f"{CONCURRENT_SAVERS} facades save {CONCURRENT_BLOB >> 10} KiB blobs to s{self.counter}/cache.bin from threads at once")
            savers, blobs = [], []
            for i in range(CONCURRENT_SAVERS):
                entries = {KEYS[0]: bytes([i + 1]) * CONCURRENT_BLOB}
                saver = api.RuntimeCache(path)
                handle = runtime.handle_of(saver)
                runtime.materialize(handle, runtime.new_runtime_config())
                runtime.add_kernels(handle, entries)
                savers.append(saver)
                blobs.append(encode(entries))
            with self.saves.by_machine():
                hung, errors = _together([saver.save for saver in savers])
            self.expect("S5", f"savers still saving after {THREAD_TIMEOUT_S:g} s (a deadlock)", hung, 0)
            self.expect("S5", "exceptions in the saving threads", errors, [])
            final = _read(path)
            if final not in blobs:
                self.expect("S5", "the final file: one saver's complete blob", describe_blob(final), "one of the savers' blobs")
            self.expect("S5", "temp files left by the savers", _temp_files(directory), [])
            del savers
            shutil.rmtree(directory)

        # -- rule: cross-process ----------------------------------------------------------
        @precondition(lambda self: channel is not None)
        @rule(obj=objs)
        def send_to_child(self, obj: str) -> None:
            m = self.world.objects[obj]
            self.begin(f"send {obj} [{m.state}] to a child process")
            c = self.check("C1")
            with c.no_exception(f"pickle a {m.state} {m.kind}"):
                artifact = pickle.dumps(self.objects[obj])
            seen = channel(artifact, m.kind)
            stderr = seen.get("stderr", "")
            self.expect("C1", "child's run", seen.get("error"), None, stderr)
            self.expect("C1", "what the child holds after materializing", bytes.fromhex(seen["serialized"]), encode(decode(m.blob())), stderr)
            self.expect("C2", "'Exception ignored' in the child's stderr", "Exception ignored" in stderr, False, stderr)
            if m.kind == FACADE:
                self.world.reports_due = []
                self.world.autosave(m.loaded_copy())  # the child's copy autosaves at its exit (A1)
                for clause, why in self.world.reports_due:  # reported on the child's stderr
                    self.expect(clause, f"{why} reported in the child's stderr", bool(stderr.strip()), True, stderr)
                self.world.reports_due = []
                self.settle_shared_saves(stderr)

        # -- invariants -------------------------------------------------------------------
        @invariant()
        def objects_match_the_model(self) -> None:
            for label, m in self.world.live():
                handle = self.handle(label)
                observed = bool(handle.has_cache())
                self.expect("H5" if m.loaded and m.entries is None else "H2", f"{label}.has_cache()", observed, m.entries is not None)
                if m.entries is not None:
                    got = bytes_of(handle.serialize())
                    lost = [k for k in m.drained if k not in decode(got)] if got.startswith(b"TRTC") or not got else list(m.drained)
                    self.expect("H1" if lost else "H2", f"serialize() of materialized {label}", got, m.blob())
                else:
                    try:
                        pending = bytes(runtime.observe(PENDING_BYTES, handle) or b"")
                    except NotObservable as exc:
                        self.unobserved(exc)
                    else:
                        self.expect("H5" if m.loaded else "H1", f"pending bytes of {label}", pending, m.pending)

        @invariant()
        def nothing_reached_unraisablehook(self) -> None:
            leaks = self.leaks.leaks
            self.leaks.leaks = []
            self.expect("A2", "unraisable exceptions", [leak.format() for leak in leaks], [])

        @invariant()
        def one_atexit_hook_per_live_autosaving_facade(self) -> None:
            if FACADE not in kinds:
                return
            funcs = self.atexit.funcs()
            for label, m in self.world.live(FACADE):
                try:
                    token = runtime.observe(ATEXIT_TOKEN, self.objects[label])
                except NotObservable as exc:
                    self.unobserved(exc)
                    break
                if token is None and not m.registered:
                    continue
                clause = "F2" if m.loaded else ("A6" if not m.registered else "A1")
                self.expect(clause, f"{label}'s at-exit token in the registry", funcs.count(token) if token is not None else 0, 1 if m.registered else 0)
            for label, m in self.world.live(FACADE):
                # upstream's public flag: off once a save happened, so exactly one save happens
                self.expect("A4" if not m.loaded else "F2", f"{label}.autosave_on_del", getattr(self.objects[label], "autosave_on_del", None), m.autosave)
            expected = sum(1 for _, m in self.world.live(FACADE) if m.registered)
            self.expect("A3", "hooks in the at-exit registry (one per live autosaving facade, none for dead ones)", len(funcs), expected)
            self.expect("A3", "hooks that reached the real at-exit registry", self.atexit.real_registrations(), 0)

        @invariant()
        def saves_match_the_model(self) -> None:
            observed: dict[str, int] = {}
            self.saves.calls = [c for c in self.saves.calls if not c[1]]  # the machine's own saves are not counted
            for label, _explicit in self.saves.calls:
                self.expect("A6", "a save by an object the machine did not make", label, label or "<a facade of the machine>")
                observed[label] = observed.get(label, 0) + 1
            for label, m in self.world.objects.items():
                if m.kind != FACADE:
                    continue
                got = observed.get(label, 0)
                clause = "A8" if m.cm else ("A4" if got > m.saves else ("A3" if m.dead else "A1"))
                self.expect(clause, f"saves of {label} (autosave / context-manager exit)", got, m.saves)
            for path in sorted(set(self.world.files) | {m.path for m in self.world.objects.values() if m.path} | {self.explicit_path}):
                on_disk = _read(path)
                clause = "S1" if path == self.explicit_path else ("A8" if path == self.cm_path else "A1")
                if path in self.world.pending_writes and on_disk != self.world.files.get(path):
                    clause = "H9"
                self.expect(clause, f"contents of {os.path.basename(path)}", on_disk, self.world.files.get(path))
            self.expect("S1", "temp files left in the cache directories", _temp_files(self.tmp), [])

        def teardown(self) -> None:
            type(self).steps_run.append(self.steps)
            try:
                if self.cm is not None:
                    self.cm[0].__exit__(None, None, None)
                self.cm = None
                self.objects.clear()
                gc.collect()
            finally:
                for close in reversed(self._closers):
                    close()
                shutil.rmtree(self.tmp, ignore_errors=True)

    # A machine without handles or without facades has none of their rules at all.
    for kind, names in _RULES_OF_KIND.items():
        if kind not in kinds:
            for name in names:
                setattr(LifecycleMachine, name, None)
    LifecycleMachine.__doc__ = f"Lifecycle state machine for {runtime!r}. Setup: {setup}"
    return LifecycleMachine


# -- for maintainers' test files --------------------------------------------------------
def machine_for(target: Union[str, Runtime], runtime_name: str = "python", **kwargs: Any) -> type[RuleBasedStateMachine]:
    """The machine class for a target spec (``"module:pkg.mod"``) or a Runtime."""
    if isinstance(target, str):
        from pytest_trtcache.targets import resolve

        rt = resolve(target).runtime(runtime_name)
        kwargs.setdefault("setup", f"from pytest_trtcache.lifecycle import machine_for; LifecycleMachine = machine_for({target!r}, {runtime_name!r})")
    else:
        rt = target
        kwargs.setdefault("setup", f"from pytest_trtcache.lifecycle import machine_for; from pytest_trtcache.targets import resolve; LifecycleMachine = machine_for(resolve({rt.target.spec!r}).runtime({rt.name!r}))")
    return lifecycle_machine(rt, **kwargs)


def machine_test_case(target: Union[str, Runtime], runtime_name: str = "python", settings: Optional[Settings] = None, **kwargs: Any) -> type:
    """A ``unittest.TestCase`` running the lifecycle machine against ``target``.

    ``settings`` defaults to the loaded hypothesis profile (``--trtcache-profile``).
    """
    machine = machine_for(target, runtime_name, **kwargs)
    case = machine.TestCase
    case.settings = settings if settings is not None else Settings(deadline=None)
    return case
