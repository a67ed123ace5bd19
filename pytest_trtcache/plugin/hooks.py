"""pytest-trtcache's pytest hooks: options, markers, target selection, sub-plugins.

Loaded as ``pytest -p trtcache`` (entry point ``pytest11: trtcache =
pytest_trtcache.plugin.hooks``); autoloaded, it does nothing until the plugin is in use
(:mod:`.in_use`). Importing this module must stay cheap: no torch, no runtime. Fixtures
and hooks that do the work live in their own modules, registered on activation.
"""

from __future__ import annotations

import os

import pytest

from pytest_trtcache.plugin import options

MARKERS = (
    "clause(id, ..., checks=(ids)): the contract clause(s) a conformance test checks (see CLAUSES.md); checks= names "
    "clauses it also reaches, for --trtcache-clause only",
    "within_target: a runtime_pair test of a promise between one target's runtimes (no cross-target pairs)",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    options.add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    """Switch on only when the plugin is in use (``plugin.in_use``): installed and
    autoloaded, it leaves every other project's run as it is."""
    from pytest_trtcache.plugin import in_use

    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    if in_use.asked_for(config):
        in_use.activate(config)
    else:
        config.pluginmanager.register(in_use.Dormant(config), "trtcache-dormant")


def pytest_report_header(config: pytest.Config) -> list[str]:
    from pytest_trtcache.plugin.in_use import active
    from pytest_trtcache.plugin.keys import TARGET_KEY

    if not active(config):
        return []

    target = config.stash.get(TARGET_KEY, None)
    lines = []
    if target is not None:
        lines.append(f"trtcache: target {target.spec} ({target.description}); runtimes: {', '.join(target.runtimes)}")
    from pytest_trtcache.plugin.keys import PROFILE_KEY

    profile = config.stash.get(PROFILE_KEY, None)
    if profile is not None:
        lines.append(f"trtcache: lifecycle hypothesis profile {profile}")
    # Print every TRTCACHE_ variable, to catch typos (as array-api-tests does).
    env = [f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("TRTCACHE")]
    if env:
        lines.append("trtcache env: " + " ".join(env))
    return lines


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from pytest_trtcache.contract import spec
    from pytest_trtcache.plugin import known_gaps
    from pytest_trtcache.plugin.in_use import active

    if not active(config):
        return
    for item in items:
        marker = item.get_closest_marker("clause")
        if marker is not None:
            unknown = [c for c in marker.args if c not in spec.BY_ID]
            if not marker.args or unknown:
                raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.clause names unknown clause {tuple(unknown or marker.args)!r}")
    wanted = config.getoption("trtcache_clause")
    if wanted:
        keep, drop = [], []
        for item in items:
            marker = item.get_closest_marker("clause")
            # ``checks=`` names clauses a test also reaches (a lifecycle machine's): selected
            # by them, judged and gated on its own clauses only.
            reached = (*marker.args, *marker.kwargs.get("checks", ())) if marker is not None else ()
            (keep if any(c in wanted for c in reached) else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep
    known_gaps.apply(config, items)
