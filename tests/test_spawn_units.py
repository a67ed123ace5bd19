"""Fast unit tests: stderr leak parsing, protocol round trip, payloads, option parsers."""

from __future__ import annotations

import argparse

import pytest

from pytest_trtcache.plugin import options
from pytest_trtcache.spawn import payload, stderr
from pytest_trtcache.spawn.protocol import Blob, Observation, Step

SHUTDOWN_STDERR = """\
some print by user code
Exception ignored in: <function RuntimeCache.__del__ at 0x7f>
Traceback (most recent call last):
  File "cache.py", line 32, in __del__
  File "cache.py", line 20, in save
ImportError: sys.meta_path is None, Python is likely shutting down
another line
Exception ignored on calling weakref callback <function cb at 0x1>:
Traceback (most recent call last):
  File "x.py", line 1, in cb
ValueError: boom
"""


def test_stderr_leaks_are_split_into_blocks_and_user_output_is_ignored() -> None:
    blocks = stderr.leaks(SHUTDOWN_STDERR)
    assert len(blocks) == 2
    assert blocks[0].startswith("Exception ignored in: <function RuntimeCache.__del__")
    assert blocks[0].endswith("ImportError: sys.meta_path is None, Python is likely shutting down")
    assert blocks[1].endswith("ValueError: boom")


def test_clean_stderr_has_no_leaks() -> None:
    assert stderr.leaks("hello\nworld: fine\n") == []


def test_step_and_observation_round_trip_through_json(tmp_path) -> None:
    step = Step("reference", "python", "save", "stream", str(tmp_path), str(tmp_path / "a"), [["e", [1, 2]]])
    assert payload.loads(payload.dumps(step)) == step
    obs = Observation(step=step.describe(), serialized=Blob.of(b"\x00\x01"))
    import json

    assert Observation.from_dict(json.loads(obs.to_json())) == obs
    assert obs.serialized.data == b"\x00\x01"


def test_a_bad_step_channel_is_named() -> None:
    with pytest.raises(ValueError, match="'pipe'"):
        Step("reference", "python", "save", "pipe", "/tmp", "/tmp/a")


@pytest.mark.parametrize("value", ["0", "-1", "soon", "inf"])
def test_a_bad_timeout_is_named(value: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=repr(value)):
        options.timeout_seconds(value)


def test_a_bad_spawn_mode_is_named() -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="'spoon'"):
        options.spawn_mode("spoon")
    assert options.spawn_mode("fork") == "fork"


def test_a_payload_comes_back_as_its_own_class_and_a_non_dataclass_is_refused() -> None:
    from pytest_trtcache.contract.faults import SaverPayload

    sent = SaverPayload("reference", "python", "/tmp/c.bin", {"00": "ff"}, kill_at=3)
    assert payload.loads(payload.dumps(sent)) == sent
    with pytest.raises(TypeError, match="dataclass instance, got dict"):
        payload.dumps({"target": "reference"})


def test_fault_injection_gives_a_c_profiler_back(tmp_path) -> None:
    """Under ``python -m cProfile`` the hook in force is a C profiler: the injector's block
    must hand it back (a TypeError here once failed the hostile-world machine)."""
    import cProfile
    import sys

    from pytest_trtcache.contract.faults import Injector, inject

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        with inject(Injector(str(tmp_path))):
            (tmp_path / "f").write_bytes(b"x")
        assert sys.getprofile() is profiler
    finally:
        profiler.disable()
    assert sys.getprofile() is None
