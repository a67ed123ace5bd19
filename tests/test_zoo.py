"""The suite validity bar, as CI checks it: ``trtcache selfcheck`` over the whole zoo.

One run of the command per pytest session (each target in its own child pytest, two or
more at a time); the tests below read its JSON verdicts.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from filelock import FileLock

from pytest_trtcache.commands.selfcheck import FIRST_FAILURE
from pytest_trtcache.mutants import MUTANTS

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_selfcheck(out: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": REPO}
    jobs = str(max(2, (os.cpu_count() or 2) // 4))  # 2 on CI's 2 cores
    proc = subprocess.run([sys.executable, "-m", "pytest_trtcache.commands.cli", "selfcheck", "-j", jobs, "--json", str(out)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=3600)
    assert out.exists(), f"trtcache selfcheck exited {proc.returncode} without verdicts:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    data = json.loads(out.read_text())
    data["returncode"], data["stdout"], data["stderr"] = proc.returncode, proc.stdout, proc.stderr
    return data


@pytest.fixture(scope="module")
def selfcheck(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> dict[str, Any]:
    """The one selfcheck run of this pytest session: under xdist the first worker to need
    it runs it, the others wait on the lock and read its result (xdist's documented way)."""
    if worker_id == "master":
        return run_selfcheck(tmp_path_factory.mktemp("selfcheck") / "verdicts.json")
    shared = tmp_path_factory.getbasetemp().parent  # this session's, common to its workers
    result = shared / "selfcheck-run.json"
    with FileLock(str(result) + ".lock"):
        if not result.exists():
            result.write_text(json.dumps(run_selfcheck(shared / "selfcheck-verdicts.json")))
    return json.loads(result.read_text())


def test_the_reference_passes_the_whole_suite(selfcheck: dict[str, Any]) -> None:
    assert selfcheck["reference"]["problems"] == [], selfcheck["stderr"][-3000:]


def test_selfcheck_exits_zero_and_prints_the_kill_matrix(selfcheck: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print("\n" + selfcheck["stdout"])
    assert selfcheck["errors"] == []
    assert selfcheck["returncode"] == 0, selfcheck["stdout"][-3000:] + selfcheck["stderr"][-3000:]
    assert f"of {len(MUTANTS)} mutant(s) killed on every clause they name" in selfcheck["stdout"]


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_each_mutant_is_killed_on_every_clause_it_names(selfcheck: dict[str, Any], name: str) -> None:
    row = next(r for r in selfcheck["mutants"] if r["name"] == name)
    if row["skipped"]:
        pytest.skip(f"mutant {name}: runtime unavailable: {row['skipped']}")
    for clause in row["clauses"]:
        assert row["verdicts"][clause] == "killed", (
            f"mutant {name} survived clause {clause}: outcomes {row['outcomes'].get(clause)}\n{row['output_tail']}"
        )


TWO_BUGS = """
from hypothesis import given, settings, strategies as st

@settings(database=None, derandomize=True, report_multiple_bugs=True, max_examples=300, deadline=None)
@given(st.integers(0, 10**6))
def test_two_bugs(n):
    if n > 1000:
        raise ValueError(n)
    if n % 2:
        raise KeyError(n)
"""


# The children whose verdict depends most on being a process of their own: an
# interpreter-shutdown leak, a pickle loaded in another process, a save at exit.
PARITY = ("pre-4362-del-only", "handle-pickles-lock", "double-save")


def test_a_cold_child_reaches_the_verdicts_of_the_warm_fork(selfcheck: dict[str, Any]) -> None:
    """selfcheck forks its children from a warm interpreter (launch/warm.py); started
    cold, as ``--spawn exec`` does, the same mutants die on the same clauses."""
    from pytest_trtcache.commands.selfcheck import kill_row

    assert "forked from a warm interpreter" in selfcheck["stdout"], selfcheck["stdout"][:2000]
    for name in PARITY:
        forked = next(r for r in selfcheck["mutants"] if r["name"] == name)
        cold = kill_row(MUTANTS[name])
        assert (cold.verdicts, cold.error) == (forked["verdicts"], ""), f"{name}: cold {cold.verdicts} {cold.error[-2000:]}, forked {forked['verdicts']}"


def test_a_mutants_child_reports_every_failure_generation_finds_unshrunk(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """selfcheck's children (launch/first_failure.py): the search past the first failure
    stays (both bugs), the shrink goes (a full run shrinks the ValueError to n=1001)."""
    from hypothesis.internal.conjecture.engine import ConjectureRunner

    from pytest_trtcache.launch import first_failure

    assert any(callable(getattr(ConjectureRunner, n, None)) for n in first_failure.SHRINK_STEPS), "this hypothesis names its shrink step otherwise"
    monkeypatch.setenv("PYTHONPATH", REPO)
    pytester.makepyfile(test_two=TWO_BUGS)
    full = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert "Hypothesis found 2 distinct failures" in full.stdout.str() and "ValueError: 1001" in full.stdout.str(), full.stdout.str()[-3000:]
    unshrunk = pytester.runpytest_subprocess("-p", "no:cacheprovider", *FIRST_FAILURE)
    out = unshrunk.stdout.str()
    assert "Hypothesis found 2 distinct failures" in out and "ValueError: 1001" not in out, out[-3000:]


def module_patches(source: str, filename: str) -> list[str]:
    """Assignments (and ``setattr``) to an attribute of anything the file imports: a
    mutant that patches the reference's modules or classes changes every other target
    in the process, and a patch undone per call races with other threads."""
    tree = ast.parse(source, filename)
    imported = {a.asname or a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
    found = []
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr") and node.args:
            targets = [ast.Attribute(value=node.args[0], attr="?", lineno=node.lineno)]
        for target in targets:
            for t in target.elts if isinstance(target, ast.Tuple) else [target]:
                if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id in imported:
                    found.append(f"{filename}:{t.lineno}: {t.value.id}.{t.attr}")
    return found


def test_no_mutant_patches_what_it_imports() -> None:
    root = Path(REPO) / "pytest_trtcache" / "mutants"
    found = [hit for path in sorted(root.glob("*.py")) for hit in module_patches(path.read_text(), path.name)]
    assert found == [], "mutants must put their bug in their own classes (see _build.derive), not patch shared ones"


def test_the_patch_finder_sees_a_tuple_target_and_setattr() -> None:
    # the shape of the bug it guards against (trusts-shared-directory before f3dadb2)
    src = "from pytest_trtcache.reference import cache as _cache\n" "self._saved, _cache.check_directory = 1, 2\n" "setattr(_cache, 'x', 1)\n"
    assert module_patches(src, "m.py") == ["m.py:2: _cache.check_directory", "m.py:3: _cache.?"]
