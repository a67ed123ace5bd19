"""What a run finished and how it was narrowed travels to the report, the summary and the
exit code: a subset says so, a run that stops early exits 6, a process that ends midway
is caught by ``trtcache run``, a report that cannot be written exits 7, and ``trtcache
run`` tests the target the caller's ini names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pytest_trtcache.launch.suite import judged
from pytest_trtcache.plugin.completeness import INCOMPLETE, INFRASTRUCTURE
from pytest_trtcache.report import files
from pytest_trtcache.report.records import Run, RunStatus

pytest_plugins = ["pytester"]
REPO = Path(__file__).resolve().parent.parent

SUITE = """
import pytest

@pytest.mark.clause("H4")
def test_one():
    pass

@pytest.mark.clause("H4")
def test_two():
    pass
"""

# A vendor module that is the reference, but whose handle's deserialize() ends the process.
ENDS_THE_PROCESS = """
import os
from pytest_trtcache.reference import *  # noqa: F401,F403
from pytest_trtcache.reference import _RuntimeCacheHandle as _Reference, _autosave_at_exit  # noqa: F401
from pytest_trtcache.reference.context import _RuntimeCacheContextManager  # noqa: F401


class _RuntimeCacheHandle(_Reference):
    def deserialize(self, *args, **kwargs):
        os._exit(0)
"""

VENDOR = """
from pytest_trtcache.reference import *  # noqa: F401,F403
from pytest_trtcache.reference import _RuntimeCacheHandle, _autosave_at_exit  # noqa: F401
from pytest_trtcache.reference.context import _RuntimeCacheContextManager  # noqa: F401
"""


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "trtcache", "-p", "no:cacheprovider", *args)


def _trtcache(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRTCACHE", "PYTEST_ADDOPTS"))}
    env["PYTHONPATH"] = os.pathsep.join([str(cwd), str(REPO)])
    return subprocess.run([sys.executable, "-m", "pytest_trtcache.commands.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_a_whole_run_is_complete_and_a_narrowed_one_says_it_is_a_subset(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE)
    whole = _run(pytester, "--trtcache-report=whole.json")
    assert whole.ret == 0
    run = files.load(str(pytester.path / "whole.json")).run
    assert (run.status, run.selected, run.finished, run.selection, run.exit_status) == (RunStatus.COMPLETE, 2, 2, (), 0)
    assert run.started and run.duration is not None
    narrowed = _run(pytester, "-k", "test_one", "--trtcache-report=part.json")
    assert narrowed.ret == INCOMPLETE  # -k left every required clause but H4 untested
    narrowed.stdout.fnmatch_lines(["*INCOMPLETE: 1 of 1 selected tests finished (a subset: -k test_one); partial run: * required clause(s) not run (*)*--trtcache-allow-partial*"])
    part = files.load(str(pytester.path / "part.json"))
    assert part.run.selection == ("-k test_one",) and "H4" not in part.run.required_not_run and "S1" in part.run.required_not_run
    allowed = _run(pytester, "-k", "test_one", "--trtcache-allow-partial")
    assert allowed.ret == 0
    allowed.stdout.fnmatch_lines(["*SUBSET: 1 of 1 selected tests finished*allowed by --trtcache-allow-partial*"])
    deliberate = _run(pytester, "--trtcache-clause=H4", "--deselect", "test_a_whole_run_is_complete_and_a_narrowed_one_says_it_is_a_subset.py::test_two")
    assert deliberate.ret == 0  # narrowed on purpose


def test_a_run_that_stops_before_its_tests_are_done_exits_6_not_0(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE.replace("def test_one():\n    pass", "def test_one():\n    pytest.exit('enough', returncode=0)"))
    result = _run(pytester, "--trtcache-report=r.json")
    assert result.ret == INCOMPLETE
    result.stdout.fnmatch_lines(["*INCOMPLETE: the run ended early: 0 of 2 selected tests finished*"])
    assert files.load(str(pytester.path / "r.json")).run.status is RunStatus.ENDED_EARLY


def test_collect_only_is_no_verdict(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE)
    result = _run(pytester, "--co", "--trtcache-report=r.json")
    assert result.ret == 0
    assert files.load(str(pytester.path / "r.json")).run.status is RunStatus.NOT_RUN


def test_a_report_that_cannot_be_written_at_the_end_exits_7_in_one_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE.replace("def test_two():\n    pass", "def test_two():\n    import shutil; shutil.rmtree('out')"))
    (pytester.path / "out").mkdir()
    result = _run(pytester, "--trtcache-report=out/r.json")
    assert result.ret == INFRASTRUCTURE
    result.stdout.fnmatch_lines(["*trtcache: cannot write *out/r.json: No such file or directory*"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


def test_the_launcher_reads_the_record_the_plugin_left(tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    assert judged(0, str(record)) == (0, "")  # no session started (--help): nothing to judge
    record.write_text(files.dumps(Run(RunStatus.RUNNING)))
    assert judged(0, str(record))[0] == INCOMPLETE
    record.write_text(files.dumps(Run(RunStatus.COMPLETE, 3, 3, exit_status=0)))
    assert judged(0, str(record)) == (0, "")
    code, why = judged(250, str(record))
    assert code == INFRASTRUCTURE and "status 250" in why
    record.write_text(files.dumps(Run(RunStatus.COMPLETE, 3, 3, exit_status=1)))
    assert judged(250, str(record))[0] == 1  # a violation stays a violation


def test_trtcache_run_tests_the_target_of_the_callers_ini_and_catches_a_process_that_ends_itself(tmp_path: Path) -> None:
    (tmp_path / "vendor_cache.py").write_text(VENDOR)
    (tmp_path / "ends_the_process.py").write_text(ENDS_THE_PROCESS)
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent("""
        [tool.pytest.ini_options]
        trtcache_target = "module:vendor_cache"
    """))
    done = _trtcache(tmp_path, "run", "--trtcache-clause=H4", "--report", "r.json")
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["target"]["spec"] == "module:vendor_cache" and data["run"]["selection"] == ["--trtcache-clause=H4"]
    # a green report of the last run is replaced, not left for CI to upload
    done = _trtcache(tmp_path, "run", "--target", "module:ends_the_process", "--trtcache-clause=H4", "--report", "r.json")
    assert done.returncode == INCOMPLETE, done.stdout + done.stderr
    assert "before its session did" in done.stderr
    assert files.load(str(tmp_path / "r.json")).run.status is RunStatus.RUNNING
