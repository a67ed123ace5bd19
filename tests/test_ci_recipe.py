"""The CI recipe (docs/ci/github-workflow.yml) works: its shell steps, run in order against a
small vendor package, install it, gate on the suite's exit code and leave the report,
the JUnit XML and the job summary where the workflow uploads them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pytest_trtcache.report import files

REPO = Path(__file__).resolve().parent.parent
WORKFLOW = REPO / "docs" / "ci" / "github-workflow.yml"

VENDOR_MODULE = '''"""A vendor's RuntimeCache, laid out like upstream's _runtime_cache.py."""
from pytest_trtcache.mutants._build import derive
globals().update(derive(__name__{overrides}))
'''
BUGGY = ''', handle=__import__("pytest_trtcache.mutants.deserialize_empty_clears", fromlist=["x"])._RuntimeCacheHandle'''


def _vendor_repo(root: Path, buggy: bool) -> Path:
    repo = root / "vendor"
    (repo / "my_vendor").mkdir(parents=True)
    (repo / "my_vendor" / "__init__.py").write_text("")
    (repo / "my_vendor" / "_runtime_cache.py").write_text(VENDOR_MODULE.format(overrides=BUGGY if buggy else ""))
    (repo / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=77"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "my-vendor"\nversion = "0.1"\n'
        '[project.entry-points."pytest_trtcache.targets"]\nmyvendor = "my_vendor._runtime_cache"\n'
        '[tool.setuptools]\npackages = ["my_vendor"]\n'
    )
    return repo


def _nested_venv(root: Path) -> Path:
    """A venv that sees this environment's packages (torch, pytest-trtcache's dependencies)
    through a .pth, so the recipe's installs resolve offline."""
    import sysconfig

    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    purelib = subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, "parent.pth").write_text(sysconfig.get_path("purelib") + "\n")
    # The venv's own (older) setuptools would shadow this environment's, which builds the packages.
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "uninstall", "-q", "-y", "setuptools"], capture_output=True)
    return venv


def _run_steps(repo: Path, venv: Path, summary: Path) -> list[subprocess.CompletedProcess]:
    job = yaml.safe_load(WORKFLOW.read_text())["jobs"]["conformance"]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS", "TRTCACHE_TARGET")}
    env.update({k: str(v) for k, v in job["env"].items()})
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}", VIRTUAL_ENV=str(venv), GITHUB_STEP_SUMMARY=str(summary),
        TRTCACHE_PACKAGE=str(REPO), TORCH_INDEX="", PIP_FLAGS="--no-deps --no-build-isolation --no-index -q",
        TRTCACHE_ARGS="--trtcache-clause=H1,H4",  # a few clauses: the recipe is under test, not the suite
    )
    runs = []
    for step in job["steps"]:
        if "run" in step:
            proc = subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=repo, env=env, capture_output=True, text=True, timeout=900)
            runs.append(proc)
            if proc.returncode != 0:
                break
    return runs


@pytest.mark.parametrize("buggy", [False, True], ids=["conformant", "violates-H4"])
def test_the_workflow_steps_gate_a_vendor_package_on_the_suite(tmp_path: Path, buggy: bool) -> None:
    repo, venv, summary = _vendor_repo(tmp_path, buggy), _nested_venv(tmp_path), tmp_path / "summary.md"
    runs = _run_steps(repo, venv, summary)
    assert len(runs) == 3, [(r.args[-1][:60], r.returncode, r.stdout[-2000:], r.stderr[-2000:]) for r in runs]
    install, doctor, gate = runs
    assert install.returncode == 0 and doctor.returncode == 0, install.stderr[-2000:] + doctor.stdout[-2000:]
    assert gate.returncode == (1 if buggy else 0), gate.stdout[-4000:] + gate.stderr[-2000:]
    report = files.load(str(repo / "trtcache-report.json"))
    assert report.target.spec == "myvendor" and report.tests
    assert (repo / "junit.xml").read_text().count("<testcase") == len(report.tests)
    assert "trtcache conformance: `myvendor`" in summary.read_text()
    h4 = {t.outcome.value for t in report.tests if t.clause == "H4"}
    assert ("fail" in h4) if buggy else h4 == {"pass"}, h4
