"""What every rule stands on: the machine's state, its harness, its binding to a runtime,
and the helpers the rules of several concerns share (files read back, temp files left
behind, threads released at once).

A machine is bound to a runtime by class attributes, in a one-line subclass::

    class TestMine(HandleMachine):
        target = "module:my_pkg._runtime_cache"

(or ``runtime = <a Runtime>``). What one run of a machine learns that is not a verdict
(what it could not observe, how many steps each example took) goes to the :class:`RunLog`
its runner passes in, never to the class.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import gc
import os
import shutil
import stat
import sys
import tempfile
import threading
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Iterable, Optional

from hypothesis.stateful import RuleBasedStateMachine, multiple

from pytest_trtcache.contract.check import Check, describe
from pytest_trtcache.contract.recorders import AtexitRecorder, SaveRecorder
from pytest_trtcache.lifecycle.model import Model, World
from pytest_trtcache.lifecycle.strategies import FACADE, HANDLE
from pytest_trtcache.lifecycle.violations import ClauseCheck
from pytest_trtcache.contract.reported import Reports, capture_reports
from pytest_trtcache.targets.base import NotObservable, Runtime
from pytest_trtcache.contract.unraisable import UnraisableRecorder

#: the module of the named machines a bound class is printed against
NAMED_MACHINES = "pytest_trtcache.lifecycle.machines"
THREAD_TIMEOUT_S = 60.0


def read_file(path: str) -> Optional[bytes]:
    """The file's bytes, or ``None`` where there is none."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except (FileNotFoundError, NotADirectoryError):
        return None


def temp_files(top: str) -> list[str]:
    """The ``.tmp`` files left below ``top``, relative to it."""
    return sorted(os.path.relpath(os.path.join(d, n), top) for d, _, names in os.walk(top) for n in names if n.endswith(".tmp"))


def default_tmp_dir() -> str:
    return tempfile.mkdtemp(prefix="trtcache-lifecycle-")


def together(calls: list[Callable[[], Any]]) -> tuple[int, list[str]]:
    """Run ``calls`` in threads released at once by a barrier, for the races of H3 and S5:
    (threads still running after ``THREAD_TIMEOUT_S``, the exceptions they raised)."""
    barrier, errors = threading.Barrier(len(calls)), []

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            call()
        except Exception as exc:  # returned to the caller, which names the clause
            errors.append(f"{type(exc).__name__}: {exc}")

    workers = [threading.Thread(target=run, args=(call,), daemon=True) for call in calls]
    for t in workers:
        t.start()
    for t in workers:
        t.join(THREAD_TIMEOUT_S)
    return sum(t.is_alive() for t in workers), errors


@dataclass
class RunLog:
    """What the examples of one run saw besides verdicts; shared by the machines of the run."""

    not_observed: dict[str, str] = field(default_factory=dict)  # what the runtime did not let it see
    steps_run: list[int] = field(default_factory=list)  # steps per example (for the power script)


@functools.lru_cache(maxsize=None)
def _resolved(target: str, runtime_name: str) -> Runtime:
    from pytest_trtcache.targets import resolve

    return resolve(target).runtime(runtime_name)


class MachineBase(RuleBasedStateMachine):
    """The machine's state and helpers; the rules and invariants are in mixins of it."""

    target: ClassVar[Optional[str]] = None  # a target spec ("module:pkg.mod", "reference", ...)
    runtime_name: ClassVar[str] = "python"
    runtime: Any = None  # a Runtime, or resolved from target and runtime_name
    skip: ClassVar[frozenset[str]] = frozenset()  # known gaps: compared, not asserted, listed
    unchecked: ClassVar[frozenset[str]] = frozenset()  # left to another machine: not asserted, not listed
    tmp_dir_factory: ClassVar[Callable[[], str]] = staticmethod(default_tmp_dir)
    ci_seed: ClassVar[int] = 20200  # the seed of derandomized runs (see runner.run_machine)

    @classmethod
    def bound_runtime(cls) -> Runtime:
        if cls.runtime is not None:
            return cls.runtime
        if cls.target is None:
            raise TypeError(f"{cls.__name__} is bound to no runtime: subclass it with target = \"module:...\" (or runtime = ...)")
        return _resolved(cls.target, cls.runtime_name)

    @classmethod
    def reproduction(cls) -> str:
        """Code that binds this class under its own name, so that the steps hypothesis
        prints (``state = <name>()``) replay as they are."""
        module = sys.modules.get(cls.__module__)
        if cls.__module__ != "__main__" and getattr(module, cls.__qualname__, None) is cls:
            return f"from {cls.__module__} import {cls.__qualname__}"
        named = next(c for c in cls.__mro__ if c.__module__ == NAMED_MACHINES)
        rt = cls.bound_runtime()
        body = f"target = {rt.target.spec!r}; runtime_name = {rt.name!r}"
        for attr in ("skip", "unchecked"):
            if getattr(cls, attr):
                body += f"; {attr} = frozenset({sorted(getattr(cls, attr))!r})"
        return f"from {NAMED_MACHINES} import {named.__name__}\nclass {cls.__name__}({named.__name__}): {body}"

    def __init__(self, log: Optional[RunLog] = None) -> None:
        super().__init__()
        self.log = log if log is not None else RunLog()
        self.runtime = self.bound_runtime()
        self.api = self.runtime.api
        # Probes whose violation would leave the model behind, so that later steps blame a
        # clause that did hold: off when their own clause is not asserted.
        self.quiet = self.skip | self.unchecked
        self.tmp = self.tmp_dir_factory()
        self.world = World()
        self.objects: dict[str, Any] = {}
        self.refs: dict[str, Any] = {}  # weakrefs, to see the dead-weakref state
        self.id_to_label: dict[int, str] = {}
        self.counter = 0
        self.step = f"{type(self).__name__}()"
        self.steps = 0
        self.cm: Optional[tuple[Any, Any, str]] = None  # (context manager, module, label)
        self.explicit_path = os.path.join(self.tmp, "explicit.bin")
        self.cm_path = os.path.join(self.tmp, "cm", "cm.bin")
        os.makedirs(os.path.dirname(self.cm_path), mode=0o700)
        # What the machine takes over for the example, given back in teardown (or at once,
        # should taking one over fail here: hypothesis calls no teardown then).
        with contextlib.ExitStack() as taken_over:
            # Objects alive before the machine are not ours: freezing them makes the
            # gc.collect() after each drop cost microseconds instead of ~0.2 s with torch.
            gc.freeze()
            taken_over.callback(gc.unfreeze)
            taken_over.enter_context(self.runtime.active())
            self.leaks = taken_over.enter_context(UnraisableRecorder())
            self.atexit = taken_over.enter_context(AtexitRecorder())
            self.saves = taken_over.enter_context(SaveRecorder(self.api.RuntimeCache, lambda obj: self.id_to_label.get(id(obj), "")))
            self.taken_over = taken_over.pop_all()
        self.wrapper_error = ""
        self.saved_concurrently = False
        if self.api.runtime_cache is None or self.api.wrapper_class is None:
            self.wrapper_error = "the target has no runtime_cache() or no wrapper class"

    def check(self, clause: str) -> Check:
        c = ClauseCheck(clause, self.runtime.id, reproduce=self.reproduction())
        c.current_step = self.step
        return c

    def expect(self, clause: str, what: str, observed: Any, expected: Any, child_stderr: str = "") -> None:
        if observed == expected or clause in self.unchecked:
            return
        if clause in self.skip:
            self.log.not_observed.setdefault(clause, f"[{clause}] skipped as a known gap: {what}")
            return
        c = self.check(clause)
        c.child_stderr = child_stderr or None
        c.fail(f"{what}: expected {describe(expected)}, observed {describe(observed)}")

    def unobserved(self, exc: NotObservable) -> None:
        self.log.not_observed.setdefault(str(exc), str(exc))

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
            on_disk = read_file(path)
            if on_disk not in allowed:
                self.expect("X2", f"contents of {os.path.basename(path)} after a save into a shared directory (old, or one saver's blob)", on_disk, sorted(allowed, key=repr)[-1], child_stderr)
            self.world.saw(path, on_disk)
        self.world.either = {}

    def run_kernels(self, label: str, entries: dict[bytes, bytes]) -> None:
        """What an engine's forward does: materialize, then add compiled kernels."""
        self.begin(f"add_kernels({label}, {entries!r})")
        handle, m = self.handle(label), self.world.objects[label]
        self.runtime.materialize(handle, self.runtime.new_runtime_config())
        m.materialize()
        try:
            self.runtime.add_kernels(handle, entries)
        except NotObservable as exc:  # the runtime gives no way to add entries
            self.unobserved(exc)
            return
        m.entries.update(entries)

    def spoil(self, directory: str, how: str) -> None:
        """Make ``directory`` ``"broken"`` or ``"shared"`` (``World.dir_state``)."""
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
        self.log.steps_run.append(self.steps)
        try:
            if self.cm is not None:  # a runtime_cache() block the example left open
                self.cm[0].__exit__(None, None, None)
            self.cm = None
            self.objects.clear()
            gc.collect()
        finally:
            try:
                self.taken_over.close()
            finally:
                shutil.rmtree(self.tmp, ignore_errors=True)
