"""Rules: the facade, its autosave and the at-exit hooks (A1-A9, F1, F2, W1, W2)."""

from __future__ import annotations

import copy
import gc
import os
import pickle
from typing import Any, Optional

from hypothesis import strategies as st
from hypothesis.stateful import consumes, multiple, precondition, rule

from pytest_trtcache.lifecycle.base import MachineBase
from pytest_trtcache.lifecycle.model import Model
from pytest_trtcache.lifecycle.strategies import CM_EXITS, FACADE, WRAPPER_EXCLUDED, entries_strategy, facades
from pytest_trtcache.targets import engine_wrapper
from pytest_trtcache.targets.base import NotObservable


class _Crash(Exception):
    """Raised half way through a ``deepcopy`` (A7)."""


class _UserError(Exception):
    """The user's own exception inside a ``runtime_cache()`` block (A8)."""


class FacadeRules(MachineBase):
    """Create, pickle, deepcopy (one that crashes half way too) and drop facades; enter
    ``runtime_cache()``, run kernels and pickle the engine inside it, leave it; fire the
    at-exit hooks."""

    @rule(target=facades, with_path=st.booleans(), autosave=st.booleans())
    def create_facade(self, with_path: bool, autosave: bool) -> str:
        self.begin(f"create_facade(with_path={with_path}, autosave={autosave})")
        path = self.path_for(with_path)
        obj = self.api.RuntimeCache(path, autosave_on_del=autosave)
        return self.new_label(FACADE, obj, Model(FACADE, path, autosave=autosave, registered=autosave))

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
            self.unobserved(NotObservable(f"{self.runtime.id}: a facade's deepcopy copies no tensor, so it cannot be made to crash half way (A7)"))
            return self.copy_of(obj, "deepcopy", made=made)  # (which also handles a kept identity)
        gc.collect()
        leaks, self.leaks.leaks = self.leaks.leaks, []
        self.expect("A7", "unraisable exceptions from the half-built copy's __del__", [leak.format() for leak in leaks], [])
        return multiple()

    # -- death and shutdown (A1, A3-A5) ------------------------------------------------
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

    # -- runtime_cache() (A8) -----------------------------------------------------------
    @precondition(lambda self: self.cm is None and not self.wrapper_error)
    @rule(entries=entries_strategy)
    def enter_runtime_cache(self, entries: dict[bytes, bytes]) -> None:
        """Enter the block and run the engine once, as any use of the block does."""
        self.begin("enter runtime_cache(module, cm/cm.bin)")
        module = engine_wrapper.new_wrapper(self.runtime)
        cm = self.api.runtime_cache(module, self.cm_path)
        first_run = not os.path.exists(self.cm_path)  # entering loads the file: S2 when it is missing
        # The block under test is driven by hand: entering and leaving it are two rules, and
        # what __exit__ is given and answers is what A8 checks.
        with self.check("S2" if first_run else "A8").no_exception("entering runtime_cache()" + (" with no cache file yet" if first_run else "")):
            obj = cm.__enter__()
        m = Model(FACADE, self.cm_path, cm=True)
        m.deserialize(self.world.files.get(self.cm_path, b""))
        label = self.new_label(FACADE, obj, m)
        self.cm = (cm, module, label)
        self.runtime_cache_runs_kernels(entries)

    @precondition(lambda self: self.cm is not None)
    @rule(entries=entries_strategy)
    def runtime_cache_runs_kernels(self, entries: dict[bytes, bytes]) -> None:
        self.run_kernels(self.cm[2], entries)
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
        defaults = engine_wrapper.loaded_settings(self.runtime, module)
        self.expect("W2", "_runtime_settings of the loaded wrapper", getattr(loaded, "_runtime_settings", "<missing>"), defaults)
        self.expect("W2", "_implicit_cache_handle of the loaded wrapper", getattr(loaded, "_implicit_cache_handle", "<missing>"), None)
        del loaded, data
        gc.collect()

    @precondition(lambda self: self.cm is None and not self.wrapper_error)
    @rule(entries=entries_strategy, how=st.sampled_from(CM_EXITS))
    def runtime_cache_block(self, entries: dict[bytes, bytes], how: tuple[bool, bool]) -> None:
        """A whole ``with runtime_cache(...)`` block in one step, the common use: its exit
        (A8) need not wait for two rules to meet in one example."""
        self.enter_runtime_cache(entries)
        self.exit_runtime_cache(how)

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
