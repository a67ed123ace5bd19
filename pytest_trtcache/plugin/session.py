"""Resolve once, hand down: the target, the peer and the known gaps of a run.

The controller resolves them in ``pytest_configure`` and checks them (a ``module:``
target that cannot be imported, a bad known-gaps file: a usage error before any test runs) and ships the resolved specs and the parsed gaps to xdist workers
through ``pytest_configure_node`` -> ``node.workerinput``, as pytest-randomly ships its
seed; a worker rebuilds its targets from the specs without checking them again.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import pytest

from pytest_trtcache.plugin.keys import KNOWN_GAPS_KEY, PEER_KEY, TARGET_KEY
from pytest_trtcache.plugin.option_sources import source_of
from pytest_trtcache.targets import Target, TargetError, resolve

WORKERINPUT = "trtcache"


def configure(config: pytest.Config) -> None:
    """Fill the stash's target, peer and known-gaps keys; register the shipping to workers."""
    from pytest_trtcache.plugin.known_gaps import Gap

    shipped: Optional[dict[str, Any]] = getattr(config, "workerinput", {}).get(WORKERINPUT)
    if shipped is not None:
        config.stash[TARGET_KEY] = resolve(shipped["target"])
        config.stash[PEER_KEY] = resolve(shipped["peer"], role="peer") if shipped["peer"] else None
        config.stash[KNOWN_GAPS_KEY] = tuple(Gap(*fields) for fields in shipped["known_gaps"])
        return
    spec = config.getoption("trtcache_target")
    config.stash[TARGET_KEY] = target = _resolved(spec, "target", source_of(config, "trtcache_target"))
    unknown = sorted(set(config.getoption("trtcache_runtimes") or ()) - set(target.runtimes))
    if unknown:
        raise pytest.UsageError(
            f"{source_of(config, 'trtcache_runtimes')}: {', '.join(unknown)} is not a runtime of target {target.spec} "
            f"(its runtimes: {', '.join(target.runtimes)})"
        )
    peer = config.getoption("trtcache_peer")
    config.stash[PEER_KEY] = _resolved(peer, "peer", source_of(config, "trtcache_peer")) if peer else None
    for checked in (target, config.stash[PEER_KEY]):
        if checked is not None:
            _check_harness_interface(checked, source_of(config, "trtcache_target" if checked is target else "trtcache_peer"))
    config.stash[KNOWN_GAPS_KEY] = _known_gaps(config)
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(ShipToWorkers(config), "trtcache-ship-to-workers")


def _resolved(spec: str, role: str, source: str) -> Target:
    try:
        return resolve(spec, role=role, validate=True)
    except TargetError as exc:
        raise pytest.UsageError(f"{source}: {exc}") from None


def _check_harness_interface(target: Target, source: str) -> None:
    """The harness drives a target's engine wrapper through upstream's interface
    (``targets/engine_wrapper.py``); a wrapper or settings of another shape is one usage
    error here, naming the target and what is missing, never a clause failure per test.
    Runtimes that share the python runtime's wrapper are checked through it; a target
    without a python runtime is checked where each test first uses its wrapper."""
    from pytest_trtcache.targets.base import RuntimeUnavailable
    from pytest_trtcache.targets.engine_wrapper import HarnessInterfaceError, check

    runtime = target.runtimes.get("python")
    if runtime is None or not (runtime.may_have_wrapper and runtime.check_wrapper_at_start) or runtime.unavailable_reason() is not None:
        return
    try:
        check(runtime)
    except HarnessInterfaceError as exc:
        raise pytest.UsageError(f"{source}: {exc}") from None
    except (RuntimeUnavailable, TargetError):
        return  # reported by the tests that use the runtime, as before


def _known_gaps(config: pytest.Config) -> tuple:
    from pytest_trtcache.plugin.known_gaps import check_runtimes, parse
    from pytest_trtcache.spawn.pairs import all_pairs

    path = config.getoption("trtcache_known_gaps")
    if not path:
        return ()
    target, peer = config.stash[TARGET_KEY], config.stash[PEER_KEY]
    runtimes = [rt.id for t in (target, peer) if t is not None for rt in t.runtimes.values()]
    try:
        gaps = tuple(parse(path))
        check_runtimes(gaps, [*runtimes, *(pair.id for pair in all_pairs(target, peer))])
        return gaps
    except (OSError, ValueError) as exc:
        raise pytest.UsageError(f"{source_of(config, 'trtcache_known_gaps')}: known-gaps file {path!r}: {exc}") from None


class ShipToWorkers:
    """xdist's hook, registered only where xdist is: what each worker starts from."""

    def __init__(self, config: pytest.Config) -> None:
        peer = config.stash[PEER_KEY]
        self.payload = {
            "target": config.stash[TARGET_KEY].spec,
            "peer": peer.spec if peer is not None else None,
            "known_gaps": [list(dataclasses.astuple(gap)) for gap in config.stash[KNOWN_GAPS_KEY]],
        }

    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[WORKERINPUT] = self.payload
