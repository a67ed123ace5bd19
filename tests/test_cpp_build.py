"""The reference C++ runtime's build: cached, verified before use, rebuilt once when broken.

Each test runs the build in a child process with its own ``TRTCACHE_CACHE_DIR``; a test
that needs a good build copies the session's (``_good_build``) instead of compiling.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _child(code: str, env: dict, timeout: int = 600) -> subprocess.CompletedProcess:
    full = {**os.environ, **env}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, env=full, capture_output=True, text=True, timeout=timeout)


def test_build_cache_hit_is_silent_and_cheap():
    out = _child(
        """
        import json, time
        from pytest_trtcache.reference import cpp  # imports torch: not part of the cost
        t0 = time.perf_counter()
        cls = cpp.handle_class()
        total = time.perf_counter() - t0
        print(json.dumps({"built": cpp.timings[""]["built"], "load_s": cpp.timings[""]["seconds"], "total_s": total}))
        """,
        {},
    )
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"cached load: {info}")
    assert info["built"] is False
    assert "building" not in out.stderr


def test_unavailable_when_build_dir_unwritable(tmp_path):
    if os.geteuid() == 0:  # root writes through mode bits: use a path under a regular file
        blocker = tmp_path / "not-a-dir"
        blocker.write_text("")
        cache_dir = blocker / "cache"
    else:
        cache_dir = tmp_path / "ro"
        cache_dir.mkdir()
        cache_dir.chmod(stat.S_IRUSR | stat.S_IXUSR)
    out = _child(
        """
        from pytest_trtcache.reference import cpp
        r = cpp.unavailable_reason()
        assert r is cpp.unavailable_reason()  # cached per process
        print(r)
        try:
            cpp.handle_class()
        except RuntimeError as e:
            print("RAISED", e)
        """,
        {"TRTCACHE_CACHE_DIR": str(cache_dir)},
    )
    assert out.returncode == 0, out.stderr
    assert str(cache_dir) in out.stdout and "TRTCACHE_CACHE_DIR" in out.stdout
    assert "RAISED reference C++ runtime unavailable" in out.stdout
    assert "building" not in out.stderr


def test_unavailable_when_no_compiler(tmp_path):
    out = _child(
        "from pytest_trtcache.reference import cpp; print(cpp.unavailable_reason())",
        {"TRTCACHE_CACHE_DIR": str(tmp_path), "CXX": "trtcache-no-such-compiler++"},
    )
    assert out.returncode == 0, out.stderr
    assert "no C++ compiler found" in out.stdout and "trtcache-no-such-compiler++" in out.stdout


def test_unavailable_when_build_fails(tmp_path):
    csrc = tmp_path / "csrc"
    csrc.mkdir()
    (csrc / "runtime_cache_handle.cpp").write_text('#include "kernel_cache.h"\nint main() { return undeclared_thing; }\n')
    (csrc / "kernel_cache.h").write_text("#pragma once\n")
    out = _child(
        f"""
        from pytest_trtcache.reference import cpp
        cpp.CSRC = {str(csrc)!r}
        print(cpp.unavailable_reason())
        """,
        {"TRTCACHE_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert out.returncode == 0, out.stderr
    assert "building the reference C++ runtime failed" in out.stdout and "undeclared_thing" in out.stdout
    assert "pytest-trtcache: building the reference C++ runtime" in out.stderr
    assert [p for p in os.listdir(tmp_path / "cache") if not p.endswith(".lock")] == []  # no half-built dir left


@pytest.mark.slow
def test_parallel_builds_serialize_on_the_lock(tmp_path):
    """Two processes, one fresh cache dir: one builds, the other waits and loads (~20 s)."""
    code = "from pytest_trtcache.reference import cpp; print(cpp.unavailable_reason(), cpp.timings[''])"
    env = {**os.environ, "TRTCACHE_CACHE_DIR": str(tmp_path)}
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert all(o[0].startswith("None ") for o in outs), outs
    assert sum("pytest-trtcache: building" in o[1] for o in outs) == 1, outs
    assert [o[0].count("'built': True") for o in outs].count(1) == 1


@pytest.fixture(scope="module")
def good_build() -> str:
    """The directory of this machine's verified build of the fixed handle (built if needed)."""
    out = _child("from pytest_trtcache.reference import cpp; cpp.handle_class(); print(cpp.timings['']['dir'])", {})
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def _cache_with(good_build: str, tmp_path) -> tuple[str, str]:
    """A cache dir holding a copy of the good build; (cache dir, path of its library)."""
    cache = tmp_path / "cache"
    cache.mkdir()
    copy = cache / os.path.basename(good_build)
    shutil.copytree(good_build, copy)
    return str(cache), str(copy / "trtcache_ref.so")


LOAD = "from pytest_trtcache.reference import cpp; print(cpp.unavailable_reason()); print(json.dumps(cpp.timings.get('', {})))"


def test_a_partly_truncated_library_is_rebuilt_not_loaded(good_build, tmp_path):
    """Loading a truncated .so can kill the process with SIGBUS: it must be rebuilt first (~20 s)."""
    cache, so = _cache_with(good_build, tmp_path)
    with open(so, "r+b") as f:
        f.truncate(os.path.getsize(so) // 2)
    out = _child("import json; " + LOAD, {"TRTCACHE_CACHE_DIR": cache})
    assert out.returncode == 0, out.stderr
    reason, timings = out.stdout.strip().splitlines()[-2:]
    assert reason == "None", out.stdout
    assert json.loads(timings)["built"] is True
    assert "building the reference C++ runtime" in out.stderr


def test_an_empty_library_that_cannot_be_rebuilt_is_a_clear_reason(good_build, tmp_path):
    cache, so = _cache_with(good_build, tmp_path)
    open(so, "wb").close()
    failing = tmp_path / "cxx"
    failing.write_text("#!/bin/sh\n[ \"$1\" = --version ] && echo 'fake c++ 1.0' && exit 0\necho 'fake c++: cannot compile' >&2; exit 1\n")
    failing.chmod(0o755)
    out = _child("import json; " + LOAD, {"TRTCACHE_CACHE_DIR": cache, "CXX": str(failing)})
    assert out.returncode == 0, out.stderr
    reason = out.stdout.strip().splitlines()[0]
    assert "cannot compile a one-line C++17 file" in reason and "fake c++: cannot compile" in reason, out.stdout


def test_a_build_killed_half_way_leaves_nothing_for_good(good_build, tmp_path):
    cache, _ = _cache_with(good_build, tmp_path)
    stale = os.path.join(cache, ".build-" + os.path.basename(good_build) + "-abc123")
    os.makedirs(os.path.join(stale, "sub"))
    out = _child("import json; " + LOAD, {"TRTCACHE_CACHE_DIR": cache})
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "None"
    assert not os.path.exists(stale)
    assert "building" not in out.stderr  # the intact build was used as it was


def test_a_cxx_with_arguments_is_refused_as_torch_would_run_it(tmp_path):
    out = _child("from pytest_trtcache.reference import cpp; print(cpp.unavailable_reason())", {"TRTCACHE_CACHE_DIR": str(tmp_path), "CXX": "env c++"})
    assert out.returncode == 0, out.stderr
    assert "'env c++' is not a program on PATH" in out.stdout and "as one program" in out.stdout


def test_doctor_probes_the_compiler_by_compiling_a_file(tmp_path):
    fake = tmp_path / "cxx"
    fake.write_text("#!/bin/sh\n[ \"$1\" = --version ] && echo 'fake c++ 1.0'\nexit 0\n")  # answers, compiles nothing
    fake.chmod(0o755)
    out = subprocess.run([sys.executable, "-m", "pytest_trtcache.commands.cli", "doctor"], cwd=REPO, capture_output=True, text=True,
                         env={**os.environ, "CXX": str(fake)}, timeout=300)
    line = next(l for l in out.stdout.splitlines() if l.startswith("compiler"))
    assert "MISSING" in line and "cannot compile a one-line C++17 file" in line, out.stdout
