"""wheel: targets: local files, the import shim across processes, clear fetch errors."""

from __future__ import annotations

import glob
import os
import subprocess
import sys

import pytest

from pytest_trtcache.targets import TargetError, engine_wrapper, resolve
from pytest_trtcache.targets.wheel import fetch

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# A real released wheel, downloaded once per session from PyPI (the network marker lets a
# machine without PyPI deselect these tests instead of failing them).
needs_wheel = pytest.mark.network


@pytest.fixture(scope="session")
def wheel_214(tmp_path_factory) -> str:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRTCACHE_CACHE_DIR", str(tmp_path_factory.mktemp("wheel-cache")))
        return fetch("torch-tensorrt==2.14.0")


def run_child(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, env={**os.environ, **env}, timeout=120)


@needs_wheel
def test_a_local_wheel_resolves_to_upstreams_python_runtime(wheel_214, cache_dir) -> None:
    target = resolve(f"wheel:{wheel_214}")
    assert target.versions == {"torch-tensorrt": "2.14.0"}
    assert list(target.runtimes) == ["python"]
    assert os.path.isfile(glob.glob(os.path.join(cache_dir, "sources", "*", "torch_tensorrt", "runtime", "_runtime_cache.py"))[0])


@needs_wheel
def test_a_child_unpickles_what_the_target_pickled_by_the_real_module_name(wheel_214, cache_dir, tmp_path) -> None:
    spec = f"wheel:{wheel_214}"
    parent = run_child(
        "import pickle, sys\n"
        "from pytest_trtcache.targets import resolve\n"
        "from pytest_trtcache.targets.base import tensor_of\n"
        f"rt = resolve({spec!r}).runtime('python')\n"
        "h = rt.new_handle('/some/path'); h.deserialize(tensor_of(b'pending-bytes'))\n"
        "data = pickle.dumps(h)\n"
        "assert b'torch_tensorrt.runtime._runtime_cache' in data\n"
        f"open({str(tmp_path / 'h.pkl')!r}, 'wb').write(data)\n"
    )
    assert parent.returncode == 0, parent.stderr
    child = run_child(
        "import pickle\n"
        "from pytest_trtcache.targets import resolve\n"
        "from pytest_trtcache.targets.base import PENDING_BYTES\n"
        f"rt = resolve({spec!r}).runtime('python'); rt.activate_process()\n"
        f"h = pickle.load(open({str(tmp_path / 'h.pkl')!r}, 'rb'))\n"
        "print(type(h).__module__, h.path, rt.observe(PENDING_BYTES, h))\n"
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.split() == ["torch_tensorrt.runtime._runtime_cache", "/some/path", "b'pending-bytes'"]


@needs_wheel
def test_upstream_runtime_cache_cm_runs_under_the_shim(wheel_214, cache_dir, tmp_path) -> None:
    runtime = resolve(f"wheel:{wheel_214}").runtime("python")
    api = runtime.api
    engine = engine_wrapper.new_wrapper(runtime)  # upstream 2.14.0's signature, no cache
    path = str(tmp_path / "cache.bin")
    with api.runtime_cache(engine, path) as rc:
        engine_wrapper.run_engine(runtime, engine, [(2, 3)])
        assert engine.runtime_settings.runtime_cache is rc
    assert engine.runtime_settings.runtime_cache is None  # upstream's CM restored the settings on exit
    assert os.path.getsize(path) > 0  # and saved once on exit


@needs_wheel
def test_the_shim_refuses_a_real_torch_tensorrt_already_imported(wheel_214, cache_dir) -> None:
    result = run_child(
        "import sys, types\n"
        "sys.modules['torch_tensorrt'] = types.ModuleType('torch_tensorrt')\n"
        "from pytest_trtcache.targets import resolve\n"
        f"resolve({'wheel:' + str(wheel_214)!r}).runtime('python').api\n"
    )
    assert result.returncode != 0
    assert "a real torch_tensorrt is already imported" in result.stderr


def test_a_missing_local_wheel_names_the_file(cache_dir) -> None:
    with pytest.raises(TargetError, match="no such wheel file /nonexistent/x.whl"):
        resolve("wheel:/nonexistent/x.whl")


def test_an_unfetchable_requirement_says_which_and_how_to_point_at_a_file(cache_dir, monkeypatch) -> None:
    # No index reachable: pip fails fast, as without network.
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "2")
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    with pytest.raises(TargetError) as info:
        fetch("torch-tensorrt==2.13.0")
    message = str(info.value)
    assert "could not fetch wheel for 'torch-tensorrt==2.13.0'" in message
    assert "--trtcache-target=wheel:/path/to/file.whl" in message



# -- docs/contract.md's rows on a pathlib.Path, an existing directory and a FIFO, checked on
# the real module (tests/_contract_audit.py), each in a child: one wheel's sources per process
@needs_wheel
@pytest.mark.parametrize("check", ["pathlib", "directory", "fifo"])
def test_the_contract_audits_rows_hold_on_upstream(check, wheel_214, cache_dir, tmp_path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    child = subprocess.run(
        [sys.executable, "-m", "tests._contract_audit", check, f"wheel:{wheel_214}", str(work)],
        cwd=REPO, capture_output=True, text=True, env={**os.environ}, timeout=120,
    )
    assert child.returncode == 0, child.stdout[-3000:] + child.stderr[-3000:]
    assert child.stdout.strip().endswith(f"{check}: as docs/contract.md says"), child.stdout
