"""The torch_tensorrt target against a fake package laid out like torch-tensorrt's.

TensorRT cannot be installed here, so this checks the runtime switching, not the real
C++ library: the fake's ``lib/libtorchtrt_runtime.so`` is a loadable shared object
that registers no torchbind class.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import sysconfig

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAKE = os.path.join(REPO, "tests", "fake_torch_tensorrt")

PROBE = """
import json, os, sys
import torch
from pytest_trtcache.targets import resolve
target = resolve("torch_tensorrt")
cpp, python = target.runtime("cpp"), target.runtime("python")
reason = cpp.unavailable_reason()
import torch_tensorrt
lib = os.path.join(os.path.dirname(torch_tensorrt.__file__), "lib", "libtorchtrt_runtime.so")
mapped = lib in open("/proc/self/maps").read()
with python.active():
    facade = python.api.RuntimeCache("")
    python_handle = type(facade._handle).__name__
print(json.dumps({"runtime_flag": torch_tensorrt.ENABLED_FEATURES.torch_tensorrt_runtime,
                  "library_mapped": mapped, "cpp_reason": reason, "python_handle": python_handle}))
"""


@pytest.fixture
def fake_tree(tmp_path) -> str:
    root = tmp_path / "site"
    shutil.copytree(FAKE, root, ignore=shutil.ignore_patterns("__pycache__", "README.md"))
    # Any loadable shared object stands in for the C++ library: a stdlib extension module
    # (where this Python was built with them as files).
    dirs = {sysconfig.get_paths()["platstdlib"], os.path.join(sys.base_prefix, "lib", f"python{sys.version_info.major}.{sys.version_info.minor}")}
    candidates = sorted(p for d in dirs for p in glob.glob(os.path.join(d, "lib-dynload", "*.so")))
    if not candidates:
        pytest.skip(f"this Python has no stdlib extension module files to stand in for the C++ library (looked in {sorted(dirs)})")
    lib = root / "torch_tensorrt" / "lib"
    lib.mkdir(exist_ok=True)  # git keeps no empty directory
    shutil.copy(candidates[0], lib / "libtorchtrt_runtime.so")
    return str(root)


def listing(root: str) -> list[tuple[str, int, float]]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for name in filenames:
            st = os.stat(os.path.join(dirpath, name))
            out.append((os.path.relpath(os.path.join(dirpath, name), root), st.st_size, st.st_mtime))
    return sorted(out)


def probe(fake_tree: str, **env: str) -> dict:
    import json

    full_env = {**os.environ, "PYTHONPATH": os.pathsep.join([fake_tree, REPO]), **env}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, env=full_env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_by_default_the_library_loads_and_cpp_needs_its_torchbind_class(fake_tree) -> None:
    seen = probe(fake_tree)
    assert seen["runtime_flag"] is True
    assert seen["library_mapped"] is True
    assert "torch.classes.tensorrt.RuntimeCacheHandle is not registered" in seen["cpp_reason"]
    assert seen["python_handle"] == "RuntimeCacheHandle"  # the python runtime's handle, chosen in-process


def test_a_python_only_process_blocks_the_library_without_touching_files(fake_tree) -> None:
    before = listing(fake_tree)
    seen = probe(fake_tree, TRTCACHE_TORCH_TENSORRT_RUNTIME="python")
    assert seen["runtime_flag"] is False
    assert seen["library_mapped"] is False
    assert "python-only" in seen["cpp_reason"]
    assert seen["python_handle"] == "RuntimeCacheHandle"
    assert listing(fake_tree) == before


def test_the_conformance_suite_runs_the_python_runtime_and_fails_the_gate_on_the_missing_cpp(fake_tree) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([fake_tree, REPO])}

    def run(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "trtcache", "conformance", "--trtcache-target=torch_tensorrt", "--trtcache-clause=H1,H4", "-q", "-rs", "-p", "no:cacheprovider", *extra],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
        )

    result = run()
    # The cpp runtime it declares could not run: the gate says so instead of passing.
    assert result.returncode == 1, result.stdout + result.stderr
    assert "runtime cpp unavailable: torch.classes.tensorrt.RuntimeCacheHandle is not registered" in result.stdout
    assert "trtcache gate FAILED: runtime cpp could not run here" in result.stdout and "--trtcache-runtimes=python" in result.stdout
    assert " passed" in result.stdout and "failed" not in result.stdout
    python_only = run("--trtcache-runtimes=python")
    assert python_only.returncode == 0 and " passed" in python_only.stdout, python_only.stdout + python_only.stderr
