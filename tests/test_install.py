"""The built wheel, installed as a user would install it, runs the suite from an empty
directory: once inside a venv nested in this environment, once in a clean venv that
has only torch and the wheel's declared dependencies."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests._nested import PASSING_TARGET_ENV

REPO = Path(__file__).resolve().parent.parent
# A user's shell: none of this checkout on the path, no pytest options of ours.
USER_ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Built from a copy without build outputs: setuptools reuses build/lib, and a module
    # moved away since the last build would ship in the wheel from there.
    dist, source = tmp_path_factory.mktemp("dist"), tmp_path_factory.mktemp("source") / "src"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".venv", "build", "dist", ".git", "*.egg-info", "__pycache__", ".hypothesis", ".pytest_cache"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(source)], check=True, capture_output=True)
    (built,) = dist.glob("pytest_trtcache-*.whl")
    return built


def test_the_wheel_carries_its_license_urls_classifiers_and_python_floor(wheel: Path) -> None:
    import zipfile
    from email.parser import Parser

    with zipfile.ZipFile(wheel) as whl:
        names = whl.namelist()
        (meta,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(whl.read(meta).decode())
        licenses = [n for n in names if ".dist-info/" in n and n.rsplit("/", 1)[-1] == "LICENSE"]
        assert licenses and whl.read(licenses[0]) == (REPO / "LICENSE").read_bytes()
    assert metadata["License-Expression"] == "BSD-3-Clause"
    assert metadata["Requires-Python"] == ">=3.10"
    assert any(url.startswith("Issue #4359, ") for url in metadata.get_all("Project-URL"))
    classifiers = metadata.get_all("Classifier")
    assert "Framework :: Pytest" in classifiers and "Operating System :: POSIX :: Linux" in classifiers


def make_venv(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A venv without system site-packages, its python, and an empty directory to run in."""
    venv, empty = tmp_path / "venv", tmp_path / "empty"
    empty.mkdir()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    return venv, venv / "bin" / "python", empty


def site_packages(python: Path) -> str:
    return subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], check=True, capture_output=True, text=True).stdout.strip()


def pip(python: Path, *args: str) -> None:
    proc = subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *args], capture_output=True, text=True, env=USER_ENV)
    assert proc.returncode == 0, f"pip install {' '.join(args)} in {python}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"


def trtcache(venv: Path, *args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(venv / "bin" / "trtcache"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def assert_runs_the_installed_suite(venv: Path, empty: Path, env: dict[str, str], *pytest_args: str) -> str:
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import pytest_trtcache.conformance as c; print(c.__file__)"], cwd=empty, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.startswith(str(venv)), where.stdout  # the installed copy, not this checkout
    report = empty / "report.json"
    result = trtcache(venv, "run", "--report", str(report), "-q", *pytest_args, cwd=empty, env=env)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
    rendered = trtcache(venv, "report", str(report), cwd=empty, env=env)
    assert rendered.returncode == 0, rendered.stderr
    # Only what pytest itself leaves where it runs (--lf's cache, hypothesis's examples) beside the report.
    assert set(os.listdir(empty)) - {".pytest_cache", ".hypothesis"} == {"report.json"}
    return rendered.stdout


@pytest.mark.network
def test_the_wheel_runs_the_whole_suite_from_an_empty_directory_in_a_venv_nested_in_this_one(wheel: Path, tmp_path: Path) -> None:
    # The parent's packages (torch, pytest, ...) reach the new venv through a .pth file
    # naming the parent's site-packages: explicit, so it works from a venv inside a venv
    # (--system-site-packages would give the *base* interpreter's packages instead).
    started = time.perf_counter()
    venv, python, empty = make_venv(tmp_path)
    parents = [p for p in [*site.getsitepackages(), site.getusersitepackages()] if os.path.isdir(p)]
    Path(site_packages(python), "_parent_environment.pth").write_text("\n".join(parents) + "\n")
    pip(python, "--no-deps", "--no-index", str(wheel))
    rendered = assert_runs_the_installed_suite(venv, empty, {**USER_ENV, **PASSING_TARGET_ENV})
    assert "| H1 | required | pass |" in rendered
    print(f"wheel in a nested venv + trtcache run: {time.perf_counter() - started:.1f} s")


@pytest.mark.network
def test_the_wheel_with_its_declared_dependencies_runs_a_clause_in_a_clean_venv_with_only_torch(wheel: Path, tmp_path: Path) -> None:
    # What pip resolves from pyproject.toml alone: an undeclared import fails here. torch
    # goes in first, at this environment's version, so pip keeps it (the CPU build here).
    # A private build cache makes the cpp runtime build with the venv's own ninja.
    started = time.perf_counter()
    import torch

    venv, python, empty = make_venv(tmp_path)
    # Without pip's byte-compilation of all of torch (20 of the install's 29 s here): the
    # venv's processes write the bytecode of what they import, as where
    # PYTHONDONTWRITEBYTECODE is not set.
    pip(python, "--no-compile", f"torch=={torch.__version__.split('+')[0]}")
    pip(python, str(wheel))
    listed = subprocess.run([str(python), "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True, check=True).stdout
    assert "numpy" not in listed.lower(), "numpy is an extra: the clean venv must not have it"
    env = {**{k: v for k, v in USER_ENV.items() if k != "PYTHONDONTWRITEBYTECODE"}, "TRTCACHE_CACHE_DIR": str(tmp_path / "cache")}
    doctor = trtcache(venv, "doctor", cwd=empty, env=env)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "numpy            missing (optional)" in doctor.stdout and "pytest-trtcache[upstream]" in doctor.stdout
    rendered = assert_runs_the_installed_suite(venv, empty, env, "--trtcache-clause=H1", "-rs")
    assert "| H1 | required | pass | pass |" in rendered, rendered  # both runtimes ran: the cpp one built here
    print(f"clean venv + torch + wheel with its dependencies + doctor + H1: {time.perf_counter() - started:.1f} s")
