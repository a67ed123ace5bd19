"""Every clause-tagged test has a deadline: past it, the test fails on its clause with its step."""

from __future__ import annotations

import signal

import pytest

pytest_plugins = ["pytester"]

HANGS = """
import threading
import pytest

@pytest.mark.clause("S5")
def test_a_lock_never_released(check):
    lock = threading.Lock()
    lock.acquire()
    with check.step("waiting for the saver's lock"):
        lock.acquire()  # never returns

def test_untagged_tests_have_no_deadline_of_ours():
    import signal
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
"""


def test_a_test_past_its_deadline_fails_on_its_clause_naming_its_step(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_hang=HANGS)
    result = pytester.runpytest_subprocess("-p", "trtcache", "--trtcache-test-timeout=1", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*[[]S5[]] no runtime, step 'waiting for the saver's lock (in the test test_a_lock_never_released)': the test ran past its deadline of 1 s*",
    ])
    assert "lock.acquire()  # never returns" in result.stdout.str()


def test_someone_elses_alarm_is_put_back_after_a_tagged_test(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("""
import signal, pytest
fired = []
@pytest.fixture(scope="session", autouse=True)
def theirs():
    signal.signal(signal.SIGALRM, lambda *a: fired.append(1))
    signal.setitimer(signal.ITIMER_REAL, 3600)
    yield
""")
    pytester.makepyfile(test_x="""
import signal, pytest
@pytest.mark.clause("H4")
def test_tagged():
    assert signal.getitimer(signal.ITIMER_REAL)[0] <= 600
def test_after():
    left = signal.getitimer(signal.ITIMER_REAL)[0]
    assert 3000 < left <= 3600, left
    assert signal.getsignal(signal.SIGALRM).__name__ == "<lambda>"
""")
    pytester.runpytest_subprocess("-p", "trtcache", "-p", "no:cacheprovider").assert_outcomes(passed=2)


@pytest.mark.parametrize("value", ["0", "-1", "nan", "x"])
def test_a_bad_deadline_is_a_usage_error(pytester: pytest.Pytester, value: str) -> None:
    pytester.makepyfile(test_x="def test_x(): pass")
    result = pytester.runpytest_subprocess("-p", "trtcache", f"--trtcache-test-timeout={value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--trtcache-test-timeout*"])
