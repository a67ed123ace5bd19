"""Known gaps by clause, clause and runtime, or node-id pattern (``plugin.known_gaps``);
an entry is strict as a whole: stale (every matched test passed) fails the run, partly
passing is reported; an entry that matches nothing is a warning and listed for the report."""

from __future__ import annotations

import json

import pytest

from pytest_trtcache.plugin import options
from pytest_trtcache.plugin.known_gaps import Gap, parse


TESTS = """
import pytest

@pytest.mark.clause("H8")
@pytest.mark.parametrize("case", ["a", "b", "c"])
def test_h8(case):
    assert case != "a", "H8 sub-case a fails"

@pytest.mark.clause("H9")
def test_h9():
    pass

@pytest.mark.clause("S1")
def test_s1_failing():
    assert False, "S1 fails"
"""

CONFTEST = """
import pytest
from pytest_trtcache.plugin.known_gaps import UNMATCHED_KEY

@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session):
    if not hasattr(session.config, "workerinput"):
        print("UNMATCHED", sorted(str(g) for g in session.config.stash.get(UNMATCHED_KEY, [])))
"""


@pytest.fixture(autouse=True)
def project(plugin_env: None, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gaps=TESTS)
    pytester.makeconftest(CONFTEST)


def _run(pytester: pytest.Pytester, gaps: str, *args: str) -> pytest.RunResult:
    (pytester.path / "gaps.txt").write_text(gaps)
    return pytester.runpytest_subprocess("-p", "trtcache", "-p", "no:randomly", "-s", f"{options.KNOWN_GAPS}=gaps.txt", *args)


def test_entries_by_clause_runtime_and_node_id_pattern_parse_past_comments(tmp_path) -> None:
    path = tmp_path / "gaps"
    path.write_text("# header\n\nH8\nH9 python  # why\nC1 cpp->python\n*test_lifecycle.py::*hostile*[cpp]  # deep\n")
    assert parse(str(path)) == [
        Gap("H8", None, "", f"{path}:3"),
        Gap("H9", "python", "why", f"{path}:4"),
        Gap("C1", "cpp->python", "", f"{path}:5"),
        Gap(None, None, "deep", f"{path}:6", pattern="*test_lifecycle.py::*hostile*[cpp]"),
    ]


def test_a_clause_gap_whose_sub_cases_partly_pass_keeps_the_run_green_and_names_them(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "H8  # some sub-cases\n*::test_s1_failing\n")
    result.assert_outcomes(xfailed=2, xpassed=2, passed=1)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*known gap H8 (gaps.txt:1): 1 still fail, 2 pass: *test_h8[[]b[]], *test_h8[[]c[]]*"])


@pytest.mark.parametrize("xdist", [False, True], ids=["plain", "xdist"])
def test_a_stale_entry_fails_the_run(pytester: pytest.Pytester, xdist: bool) -> None:
    if xdist:
        pytest.importorskip("xdist")
    result = _run(pytester, "H8\nH9  # fixed since\n*::test_s1_failing\n", *(("-n", "2") if xdist else ()))
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*STALE known gap H9 (gaps.txt:2): every test it matches passed (1): remove the entry*"])


def test_an_entry_that_matches_nothing_is_a_warning_and_listed_for_the_report(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "H8\n*::test_s1_failing\nX1\n*::test_gone\n")
    assert result.ret == pytest.ExitCode.OK
    assert "UNMATCHED ['*::test_gone', 'X1']" in result.stdout.str()
    result.stdout.fnmatch_lines(["*KnownGapWarning: known gap X1 (gaps.txt:3) matches no collected test*"])


def test_a_runtime_entry_matches_only_that_runtime(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gaps="import pytest\n@pytest.mark.clause('H8')\ndef test_h8(runtime):\n    assert runtime.name == 'cpp'\n")
    result = _run(pytester, "H8 python\n")
    result.assert_outcomes(xfailed=1, passed=1)
    assert result.ret == pytest.ExitCode.OK


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("*", "names no test file, class or test*required*"),
        ("**", "names no test file, class or test*"),
        ("*::*", "names no test file, class or test*"),
        ("*.py::*", "names no test file, class or test*"),
        ("*test_*", "names no test file, class or test*"),
        ("*[cpp]", "names no test file, class or test*"),
        ("*test_gaps.py::test_h8[b", "malformed node-id pattern*unbalanced brackets*"),
        ("H4 [cpp", "'[cpp' in 'H4 [cpp' is not a runtime or runtime pair*known: python, cpp, python->python*"),
        ("H4 nosuchruntime", "'nosuchruntime' in 'H4 nosuchruntime' is not a runtime*"),
    ],
)
def test_a_blanket_malformed_or_unknown_runtime_entry_is_a_usage_error_naming_file_and_line(pytester: pytest.Pytester, line: str, why: str) -> None:
    result = _run(pytester, f"H8\n{line}  # hides too much\n")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*gaps.txt:2*{why}"])
    result.stdout.no_fnmatch_line("*passed*")


def test_a_pattern_matches_a_parametrized_test_by_its_brackets_literally(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "*test_gaps.py::test_h8[a]\n*::test_s1_failing\n")
    result.assert_outcomes(xfailed=2, passed=3)
    assert result.ret == pytest.ExitCode.OK


def test_a_runtime_pair_entry_is_accepted(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "C1 cpp->python\nH8\n*::test_s1_failing\n", "-W", "ignore::pytest_trtcache.plugin.known_gaps.KnownGapWarning")
    assert result.ret == pytest.ExitCode.OK, result.stderr.str()


def test_a_gapped_test_stops_at_its_first_violation_and_does_not_shrink(pytester: pytest.Pytester) -> None:
    """A known gap costs no search: its machine runs without hypothesis's shrink phase (so
    hypothesis stops at the first violation); the same test ungapped keeps the shrink phase
    (bounded by machine runs, lifecycle/shrink_budget.py). Neither runs the explain phase."""
    pytester.makepyfile(test_gap_cost="""
        import json
        import pytest
        from pytest_trtcache.plugin.profiles import settings_for

        @pytest.mark.clause("A4")
        @pytest.mark.parametrize("case", ["gapped", "open"])
        def test_machine(request, case):
            chosen = settings_for(request.node)
            with open(f"{case}.json", "w") as f:
                json.dump({"phases": [p.name for p in chosen.phases], "multiple": chosen.report_multiple_bugs}, f)
            assert case == "open", "the gap's violation"
    """)
    pytester.path.joinpath("gaps.txt").write_text("test_gap_cost.py::test_machine?gapped?\n")
    result = pytester.runpytest_subprocess("-p", "trtcache", "-p", "no:cacheprovider", "--trtcache-known-gaps=gaps.txt",
                                           "--trtcache-allow-partial", "test_gap_cost.py")
    result.assert_outcomes(passed=1, xfailed=1)
    gapped = json.loads(pytester.path.joinpath("gapped.json").read_text())
    ungapped = json.loads(pytester.path.joinpath("open.json").read_text())
    assert "shrink" not in gapped["phases"] and gapped["multiple"] is False
    assert "shrink" in ungapped["phases"] and ungapped["multiple"] is True
    assert "explain" not in gapped["phases"] + ungapped["phases"]
