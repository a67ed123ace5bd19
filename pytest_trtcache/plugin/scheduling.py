"""Under ``-n``: the tests that read one shared run go to one worker.

Some suite tests read a run that their pytest process makes once (the differential
machine of one runtime: its E1-E11 tests each report that run's finding of their
clause). With xdist's plain load scheduling those tests spread over the workers and
every worker makes the run again: the same examples, twice the time. This scheduler
keeps each shared run's tests together and hands every other test to whichever worker
is free, as load scheduling does. It applies only to ``--dist load`` (what ``-n``
gives): a run that asked for another distribution keeps it, and a scheduler that the
project's own conftest or plugin makes is asked first (xdist takes the first answer).

(xdist's own ``xdist_group`` mark would say this, but it does not group under pytest
9.2: it renames ``item._nodeid``, which pytest 9 no longer reads.)
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

import pytest

#: test functions whose parameters of one runtime read one run made once per process
SHARED_RUN_TESTS = ("conformance/test_differential.py::test_every_step_matches_the_reference[",)


def shared_run_key(nodeid: str) -> str:
    """The group of a shared-run test (its file, function and runtime: the parameter id
    is ``RUNTIME-CLAUSE``); any other test is a group of its own."""
    for prefix in SHARED_RUN_TESTS:
        start = nodeid.find(prefix)
        if start != -1 and (start == 0 or nodeid[start - 1] == "/"):
            return nodeid.rsplit("-", 1)[0]
    return nodeid


def grouping_scheduler(config: pytest.Config, log: Any, key: Callable[[str], str]) -> Any:
    """xdist's load-scope scheduler with ``key`` as the scope of a node id: tests of one
    key run on one worker, in collection order; the largest groups are handed out first."""
    try:
        from xdist.scheduler import LoadScopeScheduling
    except ImportError as exc:  # only xdist asks for a scheduler
        raise RuntimeError("a grouping scheduler needs pytest-xdist (pip install 'pytest-trtcache[ci]')") from exc

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return key(nodeid)

    return GroupScheduling(config, log)


def prefix_key(prefixes: Iterable[str]) -> Callable[[str], str]:
    """A key that groups every node id under one of ``prefixes``; others stand alone."""
    prefixes = tuple(prefixes)
    return lambda nodeid: next((p for p in prefixes if nodeid.startswith(p)), nodeid)


@pytest.hookimpl(optionalhook=True, trylast=True)  # a scheduler of the caller's own (a conftest's) comes first
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getoption("dist", None) != "load":
        return None
    return grouping_scheduler(config, log, shared_run_key)
