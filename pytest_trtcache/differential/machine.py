"""The differential machine: random sequences of public calls, run step by step on the
target and on the reference, each in its own sandbox, their Worlds compared after every
step (:mod:`.compare`). The reference is the oracle: whatever it does is what a caller
may rely on, the declared freedoms (``contract/spec.py`` ``FREEDOMS``) aside.

:func:`run_differential` runs it and returns what it found, one shrunk finding per
clause; :func:`bind` makes the machine class a finding's printed steps replay on::

    from pytest_trtcache.differential.machine import bind
    Differential_python = bind("mutant:save-keeps-backup", "python")
    state = Differential_python()
    state.save(facade=...)   # the steps hypothesis printed
    state.teardown()
"""

from __future__ import annotations

import builtins
import gc
import importlib
import shutil
import tempfile
from typing import Any, Callable, Iterable, Optional

from hypothesis import Phase
from hypothesis import settings as Settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, multiple, precondition, rule, run_state_machine_as_test

from pytest_trtcache.contract.verdict import ClauseViolation
from pytest_trtcache.lifecycle.shrink_budget import bounded_shrink
from pytest_trtcache.targets.base import Runtime

from . import operations as ops
from .compare import compare
from .lock_holder import LockHolder
from .side import Side

# A builtin from 3.11; hypothesis depends on the exceptiongroup backport before that.
ExceptionGroups = getattr(builtins, "BaseExceptionGroup", None) or importlib.import_module("exceptiongroup").BaseExceptionGroup

BLOB = st.sampled_from(range(len(ops.BLOBS)))
DEEP = st.sampled_from(("deepcopy", "pickle"))
MAX_STREAMS = 3  # caller's streams in one sequence: more adds steps, no new situation
IDLE_OUTCOMES = tuple(("returned", ("str", idle)) for idle in ops.IDLE)  # a call that did nothing


class DifferentialMachine(RuleBasedStateMachine):
    target_runtime: Runtime
    reference_runtime: Runtime
    skip: frozenset[str] = frozenset()  # clauses not compared (not selected, or the target's known gaps)
    reproduce_command: str = ""
    lock_holder: Optional[LockHolder] = None  # shared by a run (run_differential); else one per machine
    make_base: Callable[[], str] = staticmethod(lambda: tempfile.mkdtemp(prefix="trtcache-differential-"))
    exercised: Optional[set[str]] = None  # a run's: the calls that did something on the target (ops.unexercised)

    facades = Bundle("facades")
    objects = Bundle("objects")  # facades and handles: what the handle-level calls take
    streams = Bundle("streams")

    def __init__(self) -> None:
        super().__init__()
        self.base = self.make_base()
        self._own_holder = self.lock_holder is None
        holder = LockHolder().start() if self._own_holder else self.lock_holder
        assert holder is not None
        self.holder = holder
        self.reference = Side(self.reference_runtime, tempfile.mkdtemp(dir=self.base, prefix="reference-"), holder)
        self.target = Side(self.target_runtime, tempfile.mkdtemp(dir=self.base, prefix="target-"), holder)
        self.history: list[str] = []
        self.failed = False

    @classmethod
    def reproduction(cls) -> str:
        """Code that binds this class under the name hypothesis prints (``state = <name>()``)."""
        rt, oracle = cls.target_runtime, cls.reference_runtime
        skip = f", skip={sorted(cls.skip)!r}" if cls.skip else ""
        against = f", reference_runtime={oracle.name!r}" if oracle.name != rt.name else ""
        return f"from pytest_trtcache.differential.machine import bind; {cls.__name__} = bind({rt.target.spec!r}, {rt.name!r}{skip}{against})"

    def _reproduce(self, clause: str) -> str:
        command = self.reproduce_command.format(clause=clause)
        return f"{command}\n  or replay the steps printed below after: {self.reproduction()}\n  (the sequence: {'; '.join(self.history)})"

    def step(self, operation: Callable[..., Any], *args: Any) -> tuple:
        call = f"{operation.__name__}({', '.join(map(repr, args))})"
        self.history.append(call)
        expected = self.reference.step(operation, *args)
        observed = self.target.step(operation, *args)
        if self.exercised is not None and observed.outcome not in IDLE_OUTCOMES:
            self.exercised.add(operation.__name__)
        try:
            compare(
                expected, observed, step=f"step {len(self.history)}: {call}", runtime=self.target_runtime.id,
                outcome_owner=ops.OUTCOME_OWNER.get(operation), skip=self.skip, reproduce=self._reproduce,
            )
        except ClauseViolation:
            self.failed = True
            raise
        return expected.outcome

    def _made(self, outcome: tuple) -> Any:
        """The index of the object the step just added, or nothing when it made none."""
        if outcome[0] == "raised" or outcome[1] == ("str", ops.DROPPED):
            return multiple()
        return len(self.reference.objects) - 1

    # -- construction --------------------------------------------------------------------
    # Every sequence starts with a facade that has a file and a caller's stream, so that
    # the calls taking them (the file's lock included) are drawn from the first step on;
    # facades without a file come from construct().
    @initialize(target=facades, path=st.sampled_from(ops.PATHS_OF_A_FILE), autosave=st.booleans())
    def first_facade(self, path: str, autosave: bool) -> Any:
        made = self.construct(path, autosave)
        if isinstance(made, int):
            # Every sequence gives its first facade bytes, saves them into a directory the
            # save creates and loads that file back, so the modes of what a save creates (E7) and the descriptors a load
            # opens (E3) are compared in every sequence, not only when a draw reaches them.
            self.step(ops.deserialize, made, 1, "plain")
            self.step(ops.save, made, "nested")
            self.step(ops.load, made, "nested")
        return made

    @initialize(target=streams, kind=st.sampled_from(ops.STREAM_KINDS), blob=BLOB)
    def first_stream(self, kind: str, blob: int) -> Any:
        return self.open_stream(kind, blob)

    @rule(target=facades, path=st.sampled_from(ops.FACADE_PATHS), autosave=st.booleans())
    def construct(self, path: str, autosave: bool) -> Any:
        return self._made(self.step(ops.construct, path, autosave))

    @rule(target=objects, facade=facades)
    def use_as_object(self, facade: int) -> int:
        return facade

    # A call the target's surface cannot make is not drawn (a target without a handle
    # class, a context manager or a wrapper, a runtime that does not expose its live
    # cache): the oracle compares what the target has, and a clause none of whose calls
    # ran is not observed (ops.unexercised).
    def _can(self, call: Callable[..., Any]) -> bool:
        return not ops.lacks(self.target_runtime, call)

    @precondition(lambda self: self._can(ops.new_handle))
    @rule(target=objects, path=st.sampled_from(ops.HANDLE_PATHS))
    def new_handle(self, path: str) -> Any:
        return self._made(self.step(ops.new_handle, path))

    # -- handle-level calls --------------------------------------------------------------
    @precondition(lambda self: self._can(ops.add_kernel))
    @rule(obj=objects, key=st.sampled_from(ops.KERNELS))
    def add_kernel(self, obj: int, key: bytes) -> None:
        self.step(ops.add_kernel, obj, key)

    @rule(obj=objects, blob=BLOB, layout=st.sampled_from(("plain", "view")))
    def deserialize(self, obj: int, blob: int, layout: str) -> None:
        self.step(ops.deserialize, obj, blob, layout)

    @rule(obj=objects)
    def serialize(self, obj: int) -> None:
        self.step(ops.serialize, obj)

    # copy.copy has rules of its own: the copy users reach for first, and the one a
    # cheap __copy__ gets wrong (E9); deepcopy and pickle share one. A torchbind handle's
    # copy.copy is torch's ScriptObject.__copy__ (shares the C++ object): a freedom.
    @precondition(lambda self: "cpp" not in (self.target_runtime.name, self.reference_runtime.name))
    @rule(target=objects, obj=objects)
    def shallow_copy_handle(self, obj: int) -> Any:
        return self._made(self.step(ops.copy_object, obj, "copy", True))

    @rule(target=objects, obj=objects, how=DEEP)
    def copy_handle(self, obj: int, how: str) -> Any:
        return self._made(self.step(ops.copy_object, obj, how, True))

    @rule(obj=objects)
    def drop(self, obj: int) -> None:
        self.step(ops.drop, obj)

    # -- facade-level calls --------------------------------------------------------------
    @rule(target=facades, facade=facades)
    def shallow_copy_facade(self, facade: int) -> Any:
        return self._made(self.step(ops.copy_object, facade, "copy", False))

    @rule(target=facades, facade=facades, how=DEEP)
    def copy_facade(self, facade: int, how: str) -> Any:
        return self._made(self.step(ops.copy_object, facade, how, False))

    @rule(facade=facades, where=st.sampled_from(ops.SAVE_PATHS))
    def save(self, facade: int, where: str) -> None:
        self.step(ops.save, facade, where)

    @rule(facade=facades, where=st.sampled_from(ops.SAVE_PATHS))
    def load(self, facade: int, where: str) -> None:
        self.step(ops.load, facade, where)

    @precondition(lambda self: len(self.reference.streams) < MAX_STREAMS)
    @rule(target=streams, kind=st.sampled_from(ops.STREAM_KINDS), blob=BLOB)
    def open_stream(self, kind: str, blob: int) -> int:
        self.step(ops.open_stream, kind, blob)
        return len(self.reference.streams) - 1

    @rule(facade=facades, stream=streams)
    def save_to_stream(self, facade: int, stream: int) -> None:
        self.step(ops.save_to_stream, facade, stream)

    @rule(facade=facades, stream=streams)
    def load_from_stream(self, facade: int, stream: int) -> None:
        self.step(ops.load_from_stream, facade, stream)

    @precondition(lambda self: self._can(ops.runtime_cache_block))
    @rule(where=st.sampled_from(ops.CM_PATHS), body=st.sampled_from(ops.CM_BODIES))
    def runtime_cache_block(self, where: str, body: str) -> None:
        self.step(ops.runtime_cache_block, where, body)

    @precondition(lambda self: bool(self.reference.atexit.live or self.target.atexit.live))
    @rule()
    def interpreter_exit(self) -> None:
        self.step(ops.interpreter_exit)

    @rule(facade=facades)
    def save_while_another_process_holds_the_lock(self, facade: int) -> None:
        self.step(ops.save_under_lock, facade)

    @rule(facade=facades)
    def load_while_another_process_holds_the_lock(self, facade: int) -> None:
        self.step(ops.load_under_lock, facade)

    def teardown(self) -> None:
        try:
            if not self.failed:  # after a finding, its consequences are no new finding
                self.step(ops.drop_all)  # compared too: what collection at the end leaves
            else:
                for side in (self.reference, self.target):
                    side.step(ops.drop_all)
        finally:
            if self._own_holder:
                self.holder.close()
            shutil.rmtree(self.base, ignore_errors=True)


def differential_machine(
    target: Runtime,
    reference: Runtime,
    *,
    skip: Iterable[str] = (),
    base_dir: Optional[Callable[[], str]] = None,
    reproduce_command: str = "",
    lock_holder: Optional[LockHolder] = None,
    across_runtimes: bool = False,
    exercised: Optional[set[str]] = None,
) -> type[DifferentialMachine]:
    """A :class:`DifferentialMachine` bound to a target runtime and its oracle: the same
    runtime of the reference, unless ``across_runtimes`` (the reference's C++ runtime
    judged against its python runtime, which must not differ either)."""
    if target.name != reference.name and not across_runtimes:
        raise ValueError(f"the oracle runs the runtime it is compared with: target {target.name!r}, reference {reference.name!r}")
    attrs: dict[str, Any] = {
        "target_runtime": target, "reference_runtime": reference, "skip": frozenset(skip),
        "reproduce_command": reproduce_command, "lock_holder": lock_holder, "exercised": exercised,
    }
    if base_dir is not None:
        attrs["make_base"] = staticmethod(base_dir)
    return type(f"Differential_{target.name}", (DifferentialMachine,), attrs)


def bind(
    target: str, runtime: str, *, reference: str = "reference", skip: Iterable[str] = (), reference_runtime: Optional[str] = None,
) -> type[DifferentialMachine]:
    """The machine for ``target``'s runtime ``runtime`` against ``reference``'s (its
    runtime ``reference_runtime``, by default the same), by spec."""
    from pytest_trtcache.targets import resolve

    oracle = resolve(reference, role="oracle").runtime(reference_runtime or runtime)
    return differential_machine(resolve(target).runtime(runtime), oracle, skip=skip, across_runtimes=reference_runtime is not None)


# A conformance run's size: this fraction of the profile's examples, at least
# MIN_EXAMPLES (trtcache-dev 50 -> 30, trtcache-ci 200 -> 40, trtcache-thorough 1000 ->
# 200), each of at most STEPS steps: the 22 tests (11 clauses, 2 runtimes) stay under 30 s
# on a 2-core machine. Measured over 10-20 seeds, every E-family zoo mutant is found on its
# clause by 20 random examples in at least 19 of 20 runs; 30 leave a miss about 1 in 100.
# The reference against itself at length is ci/differential_sweep.py's job.
EXAMPLES_FRACTION = 0.2
MIN_EXAMPLES = 30
STEPS = 15


#: machine runs one finding's shrink may make (lifecycle/shrink_budget.py)
SHRINK_CALLS = 150


def sized(profile: Settings) -> Settings:
    """The differential run's settings under the run's hypothesis ``profile``."""
    examples = max(MIN_EXAMPLES, round(profile.max_examples * EXAMPLES_FRACTION))
    return Settings(profile, max_examples=examples, stateful_step_count=min(profile.stateful_step_count, STEPS))


def run_differential(
    target: Runtime,
    reference: Runtime,
    settings: Settings,
    *,
    skip: Iterable[str] = (),
    base_dir: Optional[Callable[[], str]] = None,
    reproduce_command: str = "",
    across_runtimes: bool = False,
    exercised: Optional[set[str]] = None,
) -> dict[str, ClauseViolation]:
    """Run the machine under ``settings``; return each clause's finding (shrunk on its
    own: every clause raises its own violation type, and hypothesis reports each bug).
    Anything that is not a finding (a harness error, a field the target does not expose)
    propagates. ``exercised``, when given, receives the names of the calls that did
    something on the target (``operations.unexercised`` says which clauses none reached)."""
    holder = LockHolder().start()
    machine = differential_machine(
        target, reference, skip=skip, base_dir=base_dir, reproduce_command=reproduce_command, lock_holder=holder,
        across_runtimes=across_runtimes, exercised=exercised,
    )
    # Objects alive before the run are not the run's: frozen, the gc.collect() after each
    # drop costs microseconds instead of ~0.2 s with torch imported.
    gc.collect()
    gc.freeze()
    try:
        # No explain phase: it reruns every finding many times to say which lines ran,
        # where the finding names its clause, step and both Worlds already.
        phases = tuple(p for p in settings.phases if p is not Phase.explain)
        # Each finding's shrink is bounded by machine runs (lifecycle/shrink_budget.py), with
        # a larger budget than the lifecycle machines': a finding met while shrinking another
        # is reported too, and at 150 runs the buggy benchmark vendor's are those of an
        # unbounded shrink (BENCHMARKS.md).
        with bounded_shrink(SHRINK_CALLS):
            run_state_machine_as_test(machine, settings=Settings(settings, report_multiple_bugs=True, phases=phases))
    except ExceptionGroups as group:
        if not all(isinstance(e, ClauseViolation) for e in group.exceptions):
            raise
        found: dict[str, ClauseViolation] = {}
        for violation in group.exceptions:
            found.setdefault(violation.clause, violation)
        return found
    except ClauseViolation as violation:
        return {violation.clause: violation}
    finally:
        gc.unfreeze()
        holder.close()
    return {}
