"""What every rule stands on: the machine's state, its harness, and its helpers.

The target comes in class attributes, set on the bound subclass by
:func:`~pytest_trtcache.lifecycle.machine.lifecycle_machine`.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import os
import shutil
import weakref
from typing import Any, Callable, ClassVar, Iterable, Optional

from hypothesis.stateful import RuleBasedStateMachine, multiple

from pytest_trtcache.contract.check import Check, describe
from pytest_trtcache.lifecycle.channel import Channel
from pytest_trtcache.lifecycle.disk import _default_tmp_dir, _read
from pytest_trtcache.lifecycle.model import Model, World
from pytest_trtcache.lifecycle.recorders import AtexitRecorder, SaveRecorder
from pytest_trtcache.lifecycle.strategies import FACADE, HANDLE, KINDS
from pytest_trtcache.contract.reported import Reports, capture_reports
from pytest_trtcache.targets.base import NotObservable, Runtime
from pytest_trtcache.contract.unraisable import UnraisableRecorder


class MachineBase(RuleBasedStateMachine):
    """The machine's state and helpers; the rules and invariants are in mixins of it."""

    runtime: ClassVar[Runtime]  # the system under test
    api: ClassVar[Any]  # runtime.api: the target's names (RuntimeCache, runtime_cache, ...)
    channel: ClassVar[Optional[Channel]] = None  # enables send_to_child
    kinds: ClassVar[tuple[str, ...]] = KINDS  # the objects it makes
    skip: ClassVar[frozenset[str]] = frozenset()  # known gaps: compared, not asserted, listed
    unchecked: ClassVar[frozenset[str]] = frozenset()  # left to another machine: not asserted, not listed
    quiet: ClassVar[frozenset[str]] = frozenset()  # clauses whose probes are off (skip | unchecked)
    setup: ClassVar[str] = ""  # the code that binds LifecycleMachine, printed with a failure
    tmp_dir_factory: ClassVar[Callable[[], str]] = staticmethod(_default_tmp_dir)
    not_observed: ClassVar[dict[str, str]]  # what this runtime did not let the machine see
    steps_run: ClassVar[list[int]]  # steps per example (for the power script)

    def __init__(self) -> None:
        super().__init__()
        self.tmp = self.tmp_dir_factory()
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
        self._active = self.runtime.active()
        self._active.__enter__()
        self._closers.append(lambda: self._active.__exit__(None, None, None))
        self.leaks = UnraisableRecorder().__enter__()
        self._closers.append(lambda: self.leaks.__exit__(None, None, None))
        self.atexit = AtexitRecorder().__enter__()
        self._closers.append(lambda: self.atexit.__exit__(None, None, None))
        self.saves = SaveRecorder(self.api.RuntimeCache, lambda obj: self.id_to_label.get(id(obj), "")).__enter__()
        self._closers.append(lambda: self.saves.__exit__(None, None, None))
        self.wrapper_error = ""
        self.saved_concurrently = False
        if self.api.runtime_cache is None or self.api.wrapper_class is None:
            self.wrapper_error = "the target has no runtime_cache() or no wrapper class"

    def check(self, clause: str) -> Check:
        c = Check(clause, self.runtime.id, reproduce=self.setup)
        c.current_step = self.step
        return c

    def expect(self, clause: str, what: str, observed: Any, expected: Any, child_stderr: str = "") -> None:
        if observed == expected or clause in self.unchecked:
            return
        if clause in self.skip:
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
            self.unobserved(NotObservable(f"{self.runtime.id}: {type(obj).__name__} objects take no weakref (dead-weakref state)"))
        return label

    def handle(self, label: str) -> Any:
        obj = self.objects[label]
        return obj if self.world.objects[label].kind == HANDLE else self.runtime.handle_of(obj)

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
                obj = self.runtime.pickle_roundtrip(self.objects[label]) if how == "pickle" else copy.deepcopy(self.objects[label])
        if obj is self.objects[label]:  # a __deepcopy__ that keeps identity (torch-tensorrt 2.13.0's facade)
            self.unobserved(NotObservable(f"{self.runtime.id}: {how} of a {m.kind} returns the object itself, so there is no copy to check"))
            return multiple()
        loaded = m.loaded_copy()
        self.expect(clause, f"path of the {how} copy", obj.path, m.path)
        return self.new_label(m.kind, obj, loaded)

    def drop_label(self, label: str) -> None:
        """The machine's last reference dropped and collected: nothing else may hold it
        (A5); a facade autosaves (A1)."""
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
