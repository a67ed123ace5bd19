"""launch/warm.py: a child pytest forked from a warm interpreter is the process a cold
``python -m pytest`` would be: its own environment, directory, path, exit status and
group; past its timeout it is killed with its group."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from pytest_trtcache.launch.warm import WarmSuites
from pytest_trtcache.spawn.environment import child_env

REPO = Path(__file__).resolve().parent.parent

SEES = """
import os, sys, time
def test_sees_its_own_process():
    assert os.environ["WARM_PROBE"] == "yes" and "SERVER_ONLY" not in os.environ
    assert os.getcwd() == os.environ["WARM_CWD"]
    assert sys.path.index(os.environ["WARM_EXTRA"]) < sys.path.index(os.environ["WARM_REPO"])
    import probe_module
    assert probe_module.VALUE == 42
    assert "torch" in sys.modules  # warm: imported before the fork

def test_fails_with_its_own_status():
    assert os.environ.get("WARM_FAIL") != "1"

def test_hangs():
    if os.environ.get("WARM_HANG") == "1":
        time.sleep(600)
"""


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WarmSuites]:
    workdir = tmp_path_factory.mktemp("warm")
    suites = WarmSuites(str(workdir), child_env({**os.environ, "SERVER_ONLY": "1"}, first=[str(REPO)]))
    why = suites.start()
    if why is not None:
        pytest.fail(f"the warm server did not start: {why}")
    yield suites
    suites.close()


def _project(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "test_probe.py").write_text(SEES)
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "probe_module.py").write_text("VALUE = 42\n")
    env = {k: v for k, v in os.environ.items() if k != "SERVER_ONLY"}
    env.update(WARM_PROBE="yes", WARM_CWD=str(tmp_path), WARM_EXTRA=str(extra), WARM_REPO=str(REPO), PYTHONPATH=os.pathsep.join([str(extra), str(REPO)]))
    return env


def test_a_forked_child_has_its_own_environment_directory_path_and_status(warm: WarmSuites, tmp_path: Path) -> None:
    env = _project(tmp_path)
    status, output, timed_out = warm.run(["-q", "-p", "no:cacheprovider", "-k", "not hangs"], str(tmp_path), env, str(tmp_path / "out.txt"), 120).wait()
    assert (status, timed_out) == (0, False), output
    assert "2 passed" in output
    status, output, _ = warm.run(["-q", "-p", "no:cacheprovider", "-k", "not hangs"], str(tmp_path), {**env, "WARM_FAIL": "1"}, str(tmp_path / "out2.txt"), 120).wait()
    assert status == 1 and "1 failed, 1 passed" in output, output


def test_a_forked_child_past_its_timeout_is_killed(warm: WarmSuites, tmp_path: Path) -> None:
    env = _project(tmp_path)
    child = warm.run(["-q", "-p", "no:cacheprovider", "-k", "hangs"], str(tmp_path), {**env, "WARM_HANG": "1"}, str(tmp_path / "out.txt"), 5)
    status, _, timed_out = child.wait()
    assert timed_out and status == -9
    with pytest.raises(ProcessLookupError):
        os.killpg(child.pid, 0)
