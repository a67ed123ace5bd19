"""The differential oracle's own parts (``pytest_trtcache/differential/``): a difference in
each World field is a violation of the clause that owns it, the lock-wait verdict needs no
clock, and a process setting a step changes is reported and put back."""

from __future__ import annotations

import dataclasses
import io
import os

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


def _run(target: str, skip: tuple[str, ...] = ()) -> dict[str, ClauseViolation]:
    from hypothesis import HealthCheck, settings

    from pytest_trtcache.differential.machine import run_differential
    from pytest_trtcache.targets import resolve

    profile = settings(max_examples=15, stateful_step_count=10, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    return run_differential(resolve(target).runtime("python"), resolve("reference", role="oracle").runtime("python"), profile, skip=skip)


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
