"""E1-E11: the reference as a total oracle (``pytest_trtcache/differential/``).

One differential run per runtime (cached for the process): random sequences of public
calls on the target and on the reference, each in a sandbox of its own, every step's
World compared field by field. Each clause's test fails with the finding of its own
clause (shrunk on its own: hypothesis reports each clause as its own bug), so every
clause has its own verdict. Under ``--trtcache-clause`` the run compares only the E
clauses selected; a clause in the target's known-gaps file is not compared. A clause none
of whose calls (``operations.REVEALED_BY``) did anything on the target in the whole run
(the target lacks them, or the run never drew them) is not observed, never a pass.

Size: a fraction of the profile's examples (``differential.machine.sized``); a long run
against the reference itself is ``ci/differential_sweep.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_trtcache.contract import spec
from pytest_trtcache.differential.machine import run_differential, sized
from pytest_trtcache.differential.operations import REVEALED_BY, unexercised
from pytest_trtcache.plugin.known_gaps import known_gaps_for
from pytest_trtcache.plugin.profiles import settings_of
from pytest_trtcache.targets import NotObservable, resolve

E_CLAUSES = tuple(c.id for c in spec.CLAUSES if c.family == "E")
RUNS = pytest.StashKey[dict]()


def _reproduce(runtime: Any) -> str:
    return (
        f"trtcache run --target {runtime.target.spec} -- -k test_every_step_matches_the_reference"
        f" --trtcache-runtimes {runtime.name} --trtcache-clause {{clause}}"
    )


def findings(runtime: Any, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], set[str]]:
    """The differential run of ``runtime`` against the reference's runtime of that name:
    its findings by clause, and the calls that did something on the target."""
    config = request.config
    wanted = config.getoption("trtcache_clause")
    checked = frozenset(c for c in E_CLAUSES if not wanted or c in wanted)
    runs = config.stash.setdefault(RUNS, {})
    key = (runtime.target.spec, runtime.id, checked)
    if key not in runs:
        oracle = resolve("reference", role="oracle").runtime(runtime.name)
        exercised: set[str] = set()
        found = run_differential(
            runtime, oracle, sized(settings_of(config)),
            skip=(set(E_CLAUSES) - checked) | known_gaps_for(config, runtime.id),
            base_dir=lambda: str(tmp_path_factory.mktemp("differential")),
            reproduce_command=_reproduce(runtime), exercised=exercised,
        )
        runs[key] = (found, exercised)
    return runs[key]


@pytest.mark.parametrize("clause", [pytest.param(c, marks=pytest.mark.clause(c), id=c) for c in E_CLAUSES])
def test_every_step_matches_the_reference(runtime, clause, request, tmp_path_factory):
    found, exercised = findings(runtime, request, tmp_path_factory)
    if clause in found:
        raise found[clause]
    missing = unexercised(clause, exercised, runtime)
    if missing:
        raise NotObservable(missing, part=" / ".join(call.__name__ for call in REVEALED_BY[clause]), runtime=runtime.id)
