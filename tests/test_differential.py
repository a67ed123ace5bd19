"""The differential oracle's own parts (``pytest_trtcache/differential/``): a difference in
each World field is a violation of the clause that owns it, the lock-wait verdict needs no
clock, and a process setting a step changes is reported and put back."""

from __future__ import annotations

import dataclasses
import io
import os
import time
from typing import Optional

import pytest
from filelock import FileLock, Timeout

from pytest_trtcache.contract import spec
from pytest_trtcache.contract.verdict import ClauseViolation
from pytest_trtcache.differential.compare import ORDER, compare
from pytest_trtcache.differential.lock_holder import AFTER_RELEASE, WHILE_HELD, LockHolder
from pytest_trtcache.differential.process_state import ProcessMark
from pytest_trtcache.differential.streams import RecordingBytesIO, stream_state
from pytest_trtcache.differential.world import OWNER, World, sandbox_listing

SAME = World(
    outcome=("returned", ("NoneType", None)), process=(), threads=0, fds=0, atexit_hooks=0, streams=(), caller_tensor=None,
    copy_independent=None, lock_wait=None, modes=(("cache.bin", "0o600"),), tree=(("cache.bin", "file", "3 bytes"),),
)
CHANGED = {
    "outcome": ("raised", "OSError"), "process": ("umask 0022 -> 0077",), "threads": 1, "fds": 1, "atexit_hooks": 1,
    "streams": ((3, True, None, ("close",)),), "caller_tensor": b"\x00", "copy_independent": False, "lock_wait": WHILE_HELD,
    "modes": (("cache.bin", "0o620"),), "tree": (("cache.bin", "file", "4 bytes"),),
}


def test_every_field_has_an_e_clause_and_a_place_in_the_order() -> None:
    assert set(ORDER) == set(OWNER) == set(CHANGED)
    assert {spec.get(c).family for c in OWNER.values()} == {"E"}
    assert set(OWNER.values()) == {c.id for c in spec.CLAUSES if c.family == "E"}


@pytest.mark.parametrize("field", sorted(CHANGED))
def test_a_difference_in_a_field_is_a_violation_of_its_owner(field: str) -> None:
    compare(SAME, SAME, step="s", runtime="python")  # no difference, no violation
    with pytest.raises(ClauseViolation) as found:
        compare(SAME, dataclasses.replace(SAME, **{field: CHANGED[field]}), step="s", runtime="python", reproduce=lambda c: f"rerun {c}")
    assert found.value.clause == OWNER[field]
    assert found.value.expected == SAME.as_dict() and found.value.observed[field] == CHANGED[field]
    assert found.value.reproduce == f"rerun {OWNER[field]}"
    # a clause not compared (not selected, a known gap) is skipped
    compare(SAME, dataclasses.replace(SAME, **{field: CHANGED[field]}), step="s", runtime="python", skip=frozenset({OWNER[field]}))


def test_a_step_s_outcome_can_belong_to_the_clause_of_its_operation() -> None:
    with pytest.raises(ClauseViolation) as found:
        compare(SAME, dataclasses.replace(SAME, outcome=CHANGED["outcome"]), step="s", runtime="python", outcome_owner="E6")
    assert found.value.clause == "E6"


def test_a_leftover_file_is_e10_not_e7() -> None:
    extra = dataclasses.replace(SAME, modes=SAME.modes + (("cache.bin.bak", "0o600"),), tree=SAME.tree + (("cache.bin.bak", "file", "3 bytes"),))
    with pytest.raises(ClauseViolation) as found:
        compare(SAME, extra, step="s", runtime="python")
    assert found.value.clause == "E10"


def test_the_free_mode_bits_are_masked_and_write_bits_are_not(tmp_path) -> None:
    (tmp_path / "a").write_bytes(b"x")
    os.chmod(tmp_path / "a", 0o644)
    (tmp_path / "b").write_bytes(b"x")
    os.chmod(tmp_path / "b", 0o664)
    modes, tree = sandbox_listing(str(tmp_path))
    assert modes == (("a", "0o600"), ("b", "0o620"))
    assert [name for name, kind, _ in tree] == ["a", "b"]


def test_the_lock_wait_verdict_needs_no_clock(tmp_path) -> None:
    lock = str(tmp_path / "cache.bin.lock")
    holder = LockHolder().start()
    try:
        with holder.holding(lock) as wait:  # gives up at once: returns while the lock is held
            with pytest.raises(Timeout):
                FileLock(lock, timeout=0).acquire()
        assert wait.verdict == WHILE_HELD
        with holder.holding(lock) as wait:  # waits, as the reference does
            with FileLock(lock, timeout=30):
                pass
        assert wait.verdict == AFTER_RELEASE
        mark = ProcessMark.now()
        with holder.holding(lock) as wait:  # never asks (the kernel saw no open), however long it takes
            time.sleep(0.05)
        assert wait.verdict == WHILE_HELD
        assert mark.left_behind()[:2] == (0, 0)  # the watch is no thread or descriptor of the step's
        with holder.holding(str(tmp_path / "other.lock")) as wait:  # a watch sees its own file only
            with FileLock(lock, timeout=30):
                pass
        assert wait.verdict == WHILE_HELD
    finally:
        holder.close()


def test_a_changed_umask_is_reported_and_put_back() -> None:
    mark = ProcessMark.now()
    before = os.umask(0o077)
    try:
        threads, fds, changed = mark.left_behind()
        assert changed == (f"umask {before:04o} -> 0077",)
        assert os.umask(before) == before  # put back by left_behind
    finally:
        os.umask(before)


def test_a_recording_stream_logs_what_is_not_the_byte_transfer() -> None:
    stream = RecordingBytesIO(b"abc", 3)
    stream.recording = True
    stream.write(b"de")
    stream.flush()
    stream.seek(1)
    assert stream_state(stream) == (1, False, b"abcde", ("flush", "seek"))
    assert stream_state(io.BytesIO(b"z")) == (0, False, b"z", ())


def _run(target: str, skip: tuple[str, ...] = (), exercised: Optional[set[str]] = None, examples: int = 15, steps: int = 10) -> dict[str, ClauseViolation]:
    from hypothesis import HealthCheck, settings

    from pytest_trtcache.differential.machine import run_differential
    from pytest_trtcache.targets import resolve

    profile = settings(max_examples=examples, stateful_step_count=steps, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    return run_differential(resolve(target).runtime("python"), resolve("reference", role="oracle").runtime("python"), profile, skip=skip, exercised=exercised)


def test_the_reference_shows_no_difference_from_itself() -> None:
    assert _run("reference") == {}


def test_a_mutant_is_found_on_its_clause_with_a_replayable_sequence() -> None:
    e_but_e5 = tuple(c.id for c in spec.CLAUSES if c.family == "E" and c.id != "E5")
    found = _run("mutant:load-registers-atexit", skip=e_but_e5)
    assert list(found) == ["E5"]
    text = str(found["E5"]) + "\n".join(getattr(found["E5"], "__notes__", []))
    assert "bind('mutant:load-registers-atexit', 'python'" in text and "state.teardown()" in text


def test_a_one_way_stream_logs_a_reach_for_what_it_lacks() -> None:
    from pytest_trtcache.differential.streams import ReadOnlySource, WriteOnlySink

    sink, source = WriteOnlySink(), ReadOnlySource(b"xyz")
    sink.recording = source.recording = True
    sink.write(b"ab")
    with pytest.raises(AttributeError):
        sink.flush()
    with pytest.raises(AttributeError):
        source.tell()
    assert source.read(2) == b"xy"
    assert stream_state(sink) == (2, False, b"ab", ("flush (missing)",))
    assert stream_state(source) == (2, False, b"xyz", ("tell (missing)",))


def test_a_target_lacking_a_call_is_never_driven_through_it_and_the_run_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """tests/partial_target/no_runtime_cache.py: the reference without runtime_cache()."""
    from pytest_trtcache.differential import operations as ops
    from pytest_trtcache.targets import resolve

    monkeypatch.syspath_prepend(os.path.dirname(os.path.abspath(__file__)))
    exercised: set[str] = set()
    assert _run("module:partial_target.no_runtime_cache", exercised=exercised) == {}
    assert "runtime_cache_block" not in exercised and {"construct", "deserialize", "save", "load", "drop_all"} <= exercised
    # every E clause has calls besides runtime_cache(): each is still observed
    assert [c for c in ops.REVEALED_BY if ops.unexercised(c, exercised)] == []
    # and a clause whose calls had all been missing would name what the target lacks
    partial = resolve("module:partial_target.no_runtime_cache").runtime("python")
    assert ops.lacks(partial, ops.runtime_cache_block) == "runtime_cache"
    assert "runtime_cache_block (the target lacks runtime_cache)" in ops.unexercised("E2", set(), partial)


def test_a_clause_none_of_whose_calls_did_anything_is_not_observed() -> None:
    """One example of one step: the sequence's opening (a facade with a file: construct,
    deserialize, save, load; a caller's stream) and one drawn call. At most one of the
    clauses that own calls of their own (E1 streams, E6 the held lock, E9 copies) is reached."""
    from pytest_trtcache.differential import operations as ops

    exercised: set[str] = set()
    assert _run("reference", exercised=exercised, examples=1, steps=1) == {}
    unobserved = {c: ops.unexercised(c, exercised) for c in ops.REVEALED_BY if ops.unexercised(c, exercised)}
    assert len(set(unobserved) & {"E1", "E6", "E9"}) >= 2 and set(unobserved) <= {"E1", "E6", "E9"}, unobserved
    for clause, why in unobserved.items():
        assert why.startswith(f"{clause}: none of the calls") and all(call.__name__ in why for call in ops.REVEALED_BY[clause])
    # a call on a dropped object did nothing: it is not counted
    assert ops.IDLE == (ops.DROPPED, ops.NO_PATH)


def test_conformance_reports_an_unexercised_clause_as_not_observed(monkeypatch: pytest.MonkeyPatch) -> None:
    """conformance/test_differential.py: no finding and none of the clause's calls ran:
    NotObservable (the report's NOT_OBSERVED), naming the calls; a finding comes first."""
    from pytest_trtcache.targets import NotObservable, resolve

    import importlib.util

    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "conformance", "test_differential.py")
    module_spec = importlib.util.spec_from_file_location("conformance_test_differential", path)
    assert module_spec is not None and module_spec.loader is not None
    conformance = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(conformance)

    runtime = resolve("reference").runtime("python")
    ran = {"construct", "deserialize", "save", "load", "drop_all"}
    monkeypatch.setattr(conformance, "findings", lambda *a: ({}, ran))
    with pytest.raises(NotObservable) as unobserved:
        conformance.test_every_step_matches_the_reference(runtime, "E6", None, None)
    assert unobserved.value.part == "save_under_lock / load_under_lock" and unobserved.value.runtime == runtime.id
    conformance.test_every_step_matches_the_reference(runtime, "E8", None, None)  # deserialize ran: observed, no finding
    finding = ClauseViolation("E6", "held lock", runtime="python")
    monkeypatch.setattr(conformance, "findings", lambda *a: ({"E6": finding}, ran))
    with pytest.raises(ClauseViolation):
        conformance.test_every_step_matches_the_reference(runtime, "E6", None, None)
