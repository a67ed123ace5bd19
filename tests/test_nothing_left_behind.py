"""Nothing outlives a run: children of ``start_child`` die at the test's teardown, a saver
waiting for its start file gives up, and ``trtcache run`` / ``selfcheck`` stopped by
SIGINT or SIGTERM stop their child pytest, leave no process and no temp dir, and say
so in one line. Processes are found by an environment marker every descendant inherits."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests._procs import MARKER, new_marker, processes_marked

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.join(REPO, "tests")

INNER = """
import os
from pytest_trtcache.contract.faults import SaverPayload

SAVER = "pytest_trtcache.contract.faults:saver"

def test_leaves_a_saver_waiting(trtcache_target, start_child, tmp_path):
    payload = SaverPayload.of(trtcache_target.runtime("python"), str(tmp_path / "c.bin"), {}, wait_for=str(tmp_path / "never"))
    start_child(SAVER, payload, "waiting")

def test_no_saver_of_the_previous_test_runs():
    from _procs import processes_marked
    savers = [p for p in processes_marked(os.environ["TRTCACHE_TEST_RUN"]) if SAVER.encode() in open(f"/proc/{p}/cmdline", "rb").read()]
    assert savers == []

def test_a_saver_gives_up_waiting_for_its_start_file(trtcache_target, start_child, tmp_path):
    payload = SaverPayload.of(trtcache_target.runtime("python"), str(tmp_path / "c.bin"), {}, wait_for=str(tmp_path / "never"), wait_s=0.5)
    child = start_child(SAVER, payload, "impatient")
    assert child.wait(120) != 0
    assert "did not appear within 0.5 s" in child.output()[1]
"""


@pytest.fixture
def marked(monkeypatch: pytest.MonkeyPatch) -> str:
    marker = new_marker()
    monkeypatch.setenv(MARKER, marker)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([REPO, HERE, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    return marker


@pytest.mark.parametrize("mode", ["exec", "fork"])
def test_start_child_kills_what_still_runs_at_teardown_and_a_saver_has_a_deadline(pytester: pytest.Pytester, marked: str, mode: str) -> None:
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest_subprocess("-p", "trtcache", "-p", "no:cacheprovider", "-p", "no:randomly", f"--trtcache-spawn={mode}")
    result.assert_outcomes(passed=3)
    assert processes_marked(marked) == []


def _cmdlines(pids: list[int]) -> list[bytes]:
    lines = []
    for pid in pids:
        try:
            lines.append(Path(f"/proc/{pid}/cmdline").read_bytes())
        except OSError:
            pass
    return lines


def _interrupt_when(proc: subprocess.Popen, marker: str, needle: bytes, signum: int) -> None:
    """Send ``signum`` to ``proc`` once one of its processes runs ``needle``."""
    deadline = time.monotonic() + 600  # a hang guard: the needle shows within seconds
    while not any(needle in line for line in _cmdlines(processes_marked(marker))):
        assert proc.poll() is None, f"the command ended before {needle!r} ran: {proc.communicate()}"
        assert time.monotonic() < deadline, f"{needle!r} never ran"
        time.sleep(0.05)
    proc.send_signal(signum)


COMMANDS = {
    # S5's savers wait for their start file: the moment the issue left them orphaned
    "run-exec": (["run", "--trtcache-spawn=exec", "--trtcache-allow-partial", "-k", "test_concurrent_savers"], b"pytest_trtcache.contract.faults:saver", "trtcache-run-"),
    "run-fork": (["run", "--trtcache-spawn=fork", "--trtcache-allow-partial", "-k", "test_concurrent_savers"], b"pytest_trtcache.spawn.server", "trtcache-run-"),
    # a child pytest's own fork server (--preload TARGET), not selfcheck's warm one (--warm)
    "selfcheck": (["selfcheck", "--mutant", "del-keeps-token", "-j", "1"], b"--preload", "trtcache-selfcheck-"),
    "selfcheck-starting": (["selfcheck", "--mutant", "del-keeps-token", "-j", "1"], b"--warm", "trtcache-selfcheck-"),
}


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("case", list(COMMANDS))
def test_a_signal_to_a_command_stops_its_child_pytest_and_leaves_nothing(tmp_path: Path, marked: str, case: str, signum: int) -> None:
    args, needle, prefix = COMMANDS[case]
    command = args[0]
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    proc = subprocess.Popen([sys.executable, "-m", "pytest_trtcache.commands.cli", *args], cwd=str(tmp_path), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _interrupt_when(proc, marked, needle, signum)
        _out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signum, err[-3000:]
    assert err.strip().splitlines()[-1] == f"trtcache {command}: interrupted by {signal.Signals(signum).name}; its child pytest stopped, its temp files removed"
    assert "Traceback" not in err
    assert processes_marked(marked) == []
    assert sorted(p.name for p in tmp.iterdir() if p.name.startswith(prefix)) == []
