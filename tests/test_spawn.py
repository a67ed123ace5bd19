"""The spawners: same verdicts under exec and fork, timeouts, no orphans, fallback."""

from __future__ import annotations

import json
import os
import signal

import pytest

from tests._procs import MARKER, new_marker, processes_marked

from pytest_trtcache.mutants import MUTANTS
from pytest_trtcache.report import files
from pytest_trtcache.spawn.pairs import step_for
from pytest_trtcache.spawn.spawners import ExecSpawner, ForkSpawner
from pytest_trtcache.targets import resolve

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CROSS = [os.path.join(ROOT, "conformance", "test_cross_runtime.py"), os.path.join(ROOT, "conformance", "test_shutdown.py")]
ZOO = ["reference"] + [f"mutant:{name}" for name in sorted(MUTANTS)]
# The default run compares the spawners on the targets whose bugs only a second process
# sees (shutdown, pickles loaded elsewhere); the whole zoo is an on-purpose sweep
# (``pytest -m slow tests/test_spawn.py``, figures in the closing notes).
ZOO_CI = ["reference", "mutant:pre-4362-del-only", "mutant:handle-pickles-lock", "mutant:wrapper-pickles-settings"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purposes, but still answers kill(0)
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    return True


@pytest.fixture(autouse=True)
def _root_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """pytester subprocesses run elsewhere: let them import this checkout (and ``-p trtcache``)."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([ROOT, HERE, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))


def _outcomes(pytester: pytest.Pytester, target: str, mode: str, paths: list[str]) -> dict[str, str]:
    report = pytester.path / f"report-{target.replace(':', '_')}-{mode}.json"
    pytester.runpytest_subprocess(
        "-p", "trtcache", "-p", "no:cacheprovider", f"--rootdir={ROOT}", f"--trtcache-target={target}",
        f"--trtcache-spawn={mode}", f"--trtcache-report={report}", *paths,
    )
    return {t.nodeid: t.outcome.value for t in files.load(str(report)).tests}


# The reference's exec run of test_cross_runtime.py is the costliest cell (about 100
# CPU-s: ~90 cold children); in the default run the reference is compared on the shutdown
# file, where the spawners differ most (a forked child's finalization), and the three
# mutants on both files (their other cross-runtime tests pass under both spawners).
# With ``-m slow`` every target, the reference included, is compared on both files.
CI_PATHS = {"reference": CROSS[1:]}


@pytest.mark.parametrize("target", [pytest.param(t, marks=() if t in ZOO_CI else pytest.mark.slow) for t in ZOO])
def test_exec_and_fork_reach_the_same_verdicts_on_the_bug_zoo(pytester: pytest.Pytester, target: str, request: pytest.FixtureRequest) -> None:
    paths = CROSS if "slow" in (request.config.option.markexpr or "") else CI_PATHS.get(target, CROSS)
    by_exec, by_fork = _outcomes(pytester, target, "exec", paths), _outcomes(pytester, target, "fork", paths)
    assert by_exec, "no clause-marked test ran"
    assert by_exec == by_fork
    failed = {n for n, o in by_exec.items() if o == "fail"}
    if target == "reference":
        assert not failed, f"the reference fails: {sorted(failed)}"
    elif target == "mutant:pre-4362-del-only":
        assert any("test_shutdown.py::test_an_engine" in n for n in failed)
        assert any("test_shutdown.py::test_nothing_leaks" in n for n in failed)


def _hanging_step(tmp_path):
    target = resolve("module:_spawn_helpers")
    return step_for(target.runtime("python"), "save", "stream", str(tmp_path / "child"), str(tmp_path / "child" / "artifact.bin"))


@pytest.mark.parametrize("mode", ["exec", "fork"])
def test_a_child_past_the_timeout_is_killed_with_its_group_and_reported_with_its_stderr(tmp_path, mode: str) -> None:
    notes: list[str] = []
    spawner = ExecSpawner() if mode == "exec" else ForkSpawner(["reference"], str(tmp_path / "server.log"), notes.append)
    try:
        step = _hanging_step(tmp_path)
        obs = spawner.run(step, timeout=5.0 if mode == "fork" else 15.0)
    finally:
        spawner.close()
    assert obs.timed_out
    assert obs.returncode == -signal.SIGKILL
    assert "hanging in RuntimeCache.__init__" in obs.stderr
    assert any(e.type == "ChildDied" for e in obs.exceptions)
    grandchild = int((tmp_path / "child" / "grandchild.pid").read_text())
    assert not _alive(grandchild), "the child's process group outlived the kill"
    assert notes == []


@pytest.mark.parametrize("mode", ["exec", "fork"])
def test_a_child_ends_with_its_own_status_its_c_exit_handlers_run_and_c_stdio_flushed(tmp_path, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A forked child skips only the warm libraries' C++ static destructors
    (``spawn/warm_exit.py``): a handler the child registers (as a target's library
    would) still runs, C stdio still reaches the file, and the status is Python's."""
    from tests._spawn_helpers import ExitPayload

    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)  # it makes C stdio unbuffered too
    notes: list[str] = []
    spawner = ExecSpawner() if mode == "exec" else ForkSpawner(["reference"], str(tmp_path / "server.log"), notes.append)
    try:
        out, err = tmp_path / "out", tmp_path / "err"
        child = spawner.start("_spawn_helpers:exit_late", ExitPayload(status=3, line="the late handler ran"), str(out), str(err))
        status = child.wait(60)
    finally:
        spawner.close()
    assert (status, out.read_text(), err.read_text()) == (3, "buffered by C stdio; the late handler ran\n", "")
    assert notes == []


@pytest.mark.parametrize("thread", [False, True], ids=["alone", "a-thread-still-runs"])
def test_a_forked_child_skips_the_warm_libraries_destructors_unless_a_thread_still_runs(tmp_path, thread: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warm library's C exit handler (as torch's static destructors) is skipped, except
    where another thread could still race it: then the child exits as a fresh one would."""
    from tests._spawn_helpers import ExitPayload

    from pytest_trtcache.spawn import payload
    from pytest_trtcache.spawn.fork_client import ForkServer

    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)
    server = ForkServer(["reference"], str(tmp_path / "server.log"), warm=("_exit_witness",))
    try:
        assert server.start() is None
        out, err = tmp_path / "out", tmp_path / "err"
        pid = server.fork("_spawn_helpers:exit_late", payload.dumps(ExitPayload(status=3, line="late", thread=thread)), str(out), str(err))
        status, killed = server.wait(pid, 60)
    finally:
        server.close()
    witness = "a warm library's destructor ran\n" if thread else ""
    assert (status, killed, out.read_text(), err.read_text()) == (3, False, "buffered by C stdio; late\n" + witness, "")


INNER = """
import json, os
from _procs import processes_marked

def test_spawns(trtcache_spawner, spawn, trtcache_target):
    obs = spawn(trtcache_target.runtime("python"), "save", "stream")
    assert obs.returncode == 0, obs.stderr
    with open(os.environ["PIDS_FILE"], "w") as f:
        json.dump(processes_marked(os.environ["TRTCACHE_TEST_RUN"]), f)
"""


@pytest.mark.parametrize("mode", ["exec", "fork"])
def test_nothing_outlives_the_session(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    pids_file, marker = pytester.path / "pids.json", new_marker()
    monkeypatch.setenv("PIDS_FILE", str(pids_file))
    monkeypatch.setenv(MARKER, marker)
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest_subprocess("-p", "trtcache", "-p", "no:cacheprovider", f"--trtcache-spawn={mode}")
    result.assert_outcomes(passed=1)
    during = json.loads(pids_file.read_text())
    assert len(during) >= (2 if mode == "fork" else 1)  # the inner pytest, and the fork server
    assert processes_marked(marker) == []


@pytest.mark.parametrize(("hook", "says"), [("thread", "other threads run"), ("cuda", "CUDA is initialized")])
def test_fork_falls_back_to_exec_when_unsafe_and_says_so_once(tmp_path, monkeypatch: pytest.MonkeyPatch, hook: str, says: str) -> None:
    monkeypatch.setenv("TRTCACHE_TEST_SERVER_HOOK", hook)
    notes: list[str] = []
    spawner = ForkSpawner(["reference"], str(tmp_path / "server.log"), notes.append, imports=("_spawn_helpers",))
    runtime = resolve("reference").runtime("python")
    try:
        observations = [
            spawner.run(step_for(runtime, "save", "stream", str(tmp_path / f"c{i}"), str(tmp_path / f"c{i}" / "a.bin")), 60.0)
            for i in range(2)
        ]
    finally:
        spawner.close()
    assert [o.spawner for o in observations] == ["exec", "exec"]
    assert [o.returncode for o in observations] == [0, 0]
    assert len(notes) == 1 and says in notes[0], notes
    assert spawner.server.proc is None  # closed at the fallback (the server's own exit is test_nothing_outlives_the_session's)
