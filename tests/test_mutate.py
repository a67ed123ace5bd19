"""trtcache mutate: cosmic-ray over a target's python files, the suite as the test command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from pytest_trtcache.mutation import equivalents, near, result, run_one, trees
from pytest_trtcache.report import files
from pytest_trtcache.report.records import Killer, MutantOutcome, MutantVerdict, Outcome, Phase
from tests._nested import PASSING_TARGET_ENV

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHILD_ENV = {**os.environ, "PYTHONPATH": REPO}

DIFF = """--- mutation diff ---
--- apath/pytest_trtcache/reference/features.py
+++ bpath/pytest_trtcache/reference/features.py
@@ -10,7 +10,7 @@
 a
 b
 c
-    limit = 1 + 2
+    limit = 1 - 2
 d
"""


def mutate(*args: str, cwd: str = REPO, env: dict[str, str] = CHILD_ENV) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest_trtcache", "mutate", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def test_the_diff_names_the_original_line() -> None:
    assert result.first_changed_line(DIFF) == 13
    mutant = result.Mutant("j", "pytest_trtcache/reference/features.py", "", "core/ReplaceBinaryOperator_Add_Sub", 0, diff=DIFF)
    assert mutant.changed() == (["    limit = 1 + 2"], ["    limit = 1 - 2"])


def test_the_verdict_is_run_ones_typed_document_and_must_agree_with_cosmic_ray() -> None:
    said = MutantVerdict(MutantOutcome.KILLED, phase=Phase.NEAR, killer=Killer(test="t.py::x", clause="H5", outcome=Outcome.FAIL))
    document = files.dumps(said)
    assert result.verdict_of(document, "killed", "normal") == said  # read back into the same type
    assert result.verdict_of("timeout", "killed", "normal").verdict is MutantOutcome.TIMEOUT
    assert result.verdict_of("", None, "skipped").verdict is MutantOutcome.SKIPPED
    # no document, anything besides it, or a disagreement is the measurement's error, named
    for output in ("Traceback ...", "noise\n" + document, ""):
        got = result.verdict_of(output, "killed", "normal")
        assert got.verdict is MutantOutcome.ERROR and "not a mutant verdict" in got.why, got
    assert "cosmic-ray recorded survived" in result.verdict_of(document, "survived", "normal").why
    assert result.verdict_of("segfault", None, "abnormal").verdict is MutantOutcome.ERROR


def test_run_one_writes_its_verdict_as_its_whole_output(capsys) -> None:
    status = run_one._finish("killed", phase=Phase.REST, near=["H5"], seconds={"near": 1.5}, killer=Killer(exit=1, output="boom"))
    out = capsys.readouterr().out
    assert status == 1 and files.read_verdict(out) == MutantVerdict(MutantOutcome.KILLED, phase=Phase.REST, near=("H5",),
                                                                    seconds={Phase.NEAR: 1.5}, killer=Killer(exit=1, output="boom"))


def test_the_score_leaves_out_equivalents_and_counts_errors_as_incomplete() -> None:
    def make(verdict):
        return result.Mutant("j", "f.py", "f.py", "op", 0, verdict=verdict)

    run = result.MutationResult("reference", "cosmic-ray", ["f.py"], 6, None, None, 1, [], 1.0, 60.0,
                                mutants=[make("killed"), make("timeout"), make("survived"), make("equivalent"), make("skipped"), make("killed")])
    # a timeout is no kill: left out of the score, and the run is incomplete
    assert run.measured == 5 and run.score == pytest.approx(2 / 3) and not run.complete
    run.mutants = [m for m in run.mutants if m.verdict != "timeout"]
    assert run.complete
    run.mutants.append(make("error"))
    assert not run.complete and run.score == pytest.approx(2 / 3)
    data = run.as_json()
    assert data["schema"] == result.SCHEMA and data["counts"]["equivalent"] == 1 and data["complete"] is False


def test_an_equivalent_entry_matches_by_line_text_and_a_bad_file_is_named(tmp_path) -> None:
    good = tmp_path / "eq.toml"
    good.write_text(textwrap.dedent('''
        [[mutant]]
        file = "pytest_trtcache/reference/features.py"
        operator = "core/ReplaceBinaryOperator_Add_Sub"
        before = "    limit = 1 + 2"
        after = "    limit = 1 - 2"
        reason = "the limit is never reached by any input"
    '''))
    entries = equivalents.load([str(good)])
    survivor = result.Mutant("j", "pytest_trtcache/reference/features.py", "", "core/ReplaceBinaryOperator_Add_Sub", 3, diff=DIFF, verdict="survived")
    other = result.Mutant("k", "pytest_trtcache/reference/cache.py", "", "core/ReplaceBinaryOperator_Add_Sub", 3, diff=DIFF, verdict="survived")
    assert equivalents.apply(entries, [survivor, other]) == []
    assert survivor.verdict == "equivalent" and survivor.why.startswith("the limit")
    assert other.verdict == "survived"
    assert equivalents.apply(entries, [other]) == entries  # stale: matches nothing generated
    slow = result.Mutant("l", "pytest_trtcache/reference/features.py", "", "core/ReplaceBinaryOperator_Add_Sub", 3, diff=DIFF, verdict="timeout")
    killed = result.Mutant("m", "pytest_trtcache/reference/features.py", "", "core/ReplaceBinaryOperator_Add_Sub", 3, diff=DIFF, verdict="killed")
    equivalents.apply(entries, [slow, killed])
    assert (slow.verdict, killed.verdict) == ("equivalent", "killed")  # a kill is never overruled
    bad = tmp_path / "bad.toml"
    bad.write_text('[[mutant]]\nfile = "x.py"\noperator = "op"\nbefore = "a"\nafter = "b"\nreason = " "\n')
    with pytest.raises(trees.MutateError, match=r"bad.toml: \[\[mutant\]\] #1 lacks reason"):
        equivalents.load([str(bad)])


def test_the_projects_equivalents_load_and_the_doc_lists_them() -> None:
    entries = equivalents.load([equivalents.OWN])
    with open(os.path.join(REPO, "docs", "equivalent-mutants.md"), encoding="utf-8") as f:
        doc = f.read()
    start, end = doc.index(equivalents.DOC_START), doc.index(equivalents.DOC_END) + len(equivalents.DOC_END)
    assert doc[start:end] == equivalents.render(entries), "docs/equivalent-mutants.md is out of date: python -m pytest_trtcache.mutation.equivalents --write"


def test_near_clauses_follow_callers_and_protocol_words(tmp_path) -> None:
    source = textwrap.dedent('''
        class Cache:
            def _drain(self):
                return 1

            def materialize(self):
                return self._drain()

            def __reduce__(self):
                return (Cache, ())
    ''')
    assert near.enclosing(source, 4) == ["_drain", "Cache"]
    reached = near.reaching([source], ["_drain"])
    assert "materialize" in reached
    suite = tmp_path / "conformance"
    suite.mkdir()
    (suite / "test_x.py").write_text(textwrap.dedent('''
        import pytest

        @pytest.mark.clause("H2")
        def test_materialize_once(api):
            api.materialize()

        @pytest.mark.clause("H5")
        def test_pickle(api):
            pickle.dumps(api)
    '''))
    tests = near.clause_tests(str(suite))
    assert near.near_clauses(reached, tests)[0] == "H2"
    assert "H5" in near.near_clauses(near.reaching([source], ["__reduce__"]), tests)


def test_bad_inputs_are_named_in_one_line(tmp_path) -> None:
    done = mutate("--target", "mutant:del-keeps-token", cwd=str(tmp_path))
    assert done.returncode == 2 and "--target mutant:del-keeps-token" in done.stderr and "sources:/path/to/dir" in done.stderr
    done = mutate("--target", "sources:" + str(tmp_path), cwd=str(tmp_path))
    assert done.returncode == 2 and "_runtime_cache.py" in done.stderr
    done = mutate("--sample", "0", cwd=str(tmp_path))
    assert done.returncode == 2 and "--sample 0" in done.stderr
    done = mutate("-j", "0", cwd=str(tmp_path))
    assert done.returncode == 2 and "-j 0 needs --worker-url" in done.stderr
    done = mutate("--paths", "no/such.py", cwd=str(tmp_path))
    assert done.returncode == 2 and "--paths no/such.py" in done.stderr and "features.py" in done.stderr


# Seed 7 samples two mutants the suite kills in seconds; seed 1 samples a kill and a
# documented equivalent, which survives the whole suite (a second whole-suite run, about
# a minute: run with -m slow; the equivalents' matching is tested above). The baseline is
# the reference, which passes (tests/_nested.py).
@pytest.mark.parametrize("seed, verdicts", [(7, ["killed", "killed"]), pytest.param(1, ["equivalent", "killed"], marks=pytest.mark.slow)])
def test_a_sample_of_the_reference_is_measured_end_to_end(tmp_path, seed, verdicts) -> None:
    """Two mutants of features.py through cosmic-ray and the suite: each one measured
    (killed, survived or documented equivalent, never an error or a timeout), with its
    diff, line and JSON."""
    out = tmp_path / "result.json"
    done = mutate("--paths", os.path.join(REPO, "pytest_trtcache", "reference", "features.py"), "--sample", "2", "--seed", str(seed),
                  "-j", "1", "--fail-under", "0", "--json", str(out), cwd=str(tmp_path), env={**CHILD_ENV, **PASSING_TARGET_ENV})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "baseline passed" in done.stderr and "mutation score" in done.stdout
    data = json.loads(out.read_text())
    assert data["engine"].startswith("cosmic-ray ") and data["measured"] == 2 and data["sample"] == 2 and data["complete"]
    measured = [m for m in data["mutants"] if m["verdict"] != "skipped"]
    assert len(measured) == 2 and data["generated"] == len(data["mutants"]) > 2
    assert sorted(m["verdict"] for m in measured) == verdicts, measured
    for mutant in measured:
        assert mutant["verdict"] in ("killed", "survived", "equivalent"), mutant
        if mutant["verdict"] == "equivalent":
            assert mutant["why"].strip(), mutant  # the documented reason comes with it
        assert mutant["source"].endswith(os.path.join("reference", "features.py")) and isinstance(mutant["line"], int)
        assert mutant["diff"].count("\n-") >= 1 and mutant["diff"].count("\n+") >= 1
        if mutant["verdict"] == "killed":
            assert mutant["phase"] in ("near", "rest", "all") and mutant["killer"].get("test"), mutant
