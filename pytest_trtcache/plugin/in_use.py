"""When the plugin is in use, and what using it switches on.

Installed, the plugin is autoloaded into every pytest run (entry point ``trtcache``),
and like pytest-xdist it does nothing until asked: no hypothesis profile, no
``TRTCACHE_*`` variable read, no target resolved, no header line, no hook at work.
It is in use when

* ``-p trtcache`` is given (on the command line, in ``addopts`` or ``PYTEST_ADDOPTS``),
* or a ``--trtcache-*`` option or ``trtcache_*`` ini key is set,
* or collection meets a test that carries ``@pytest.mark.clause`` or names a
  ``trtcache_*`` fixture (then it switches on there, before that test is built and
  before any test runs).

Switching on (:func:`activate`) names the hypothesis profile (registered where a machine
first asks for it, never loaded for the process: the suite's machines take theirs
explicitly), resolves the target, the peer and the known gaps (:mod:`.session`), and
registers the plugin's fixtures and hooks.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from pytest_trtcache.plugin import options
from pytest_trtcache.plugin.keys import ACTIVE_KEY

PLUGIN_NAMES = ("trtcache", "pytest_trtcache.plugin.hooks")
FIXTURE_PREFIX = "trtcache_"


def asked_for(config: pytest.Config) -> bool:
    """``-p trtcache`` given, or any of the plugin's options or ini keys set."""
    if any(name in PLUGIN_NAMES for name in getattr(config.option, "plugins", None) or ()):
        return True
    from pytest_trtcache.plugin.option_sources import any_set

    return any_set(config)


def active(config: pytest.Config) -> bool:
    return config.stash.get(ACTIVE_KEY, False)


def activate(config: pytest.Config) -> None:
    """Switch the plugin on for this run (once)."""
    if active(config):
        return
    config.stash[ACTIVE_KEY] = True
    from pytest_trtcache.plugin import children, completeness, deadline, fixtures, gates, known_gaps, liveness, option_sources, profiles, report, session, suite_fixtures
    from pytest_trtcache.plugin.keys import KNOWN_GAPS_KEY, PROFILE_KEY

    option_sources.settle(config)
    session.configure(config)
    config.stash[PROFILE_KEY] = profiles.chosen(options.profile_from(config), config.getoption("trtcache_examples"), config.getoption("trtcache_steps"))
    config.pluginmanager.register(fixtures, "trtcache-fixtures")
    config.pluginmanager.register(suite_fixtures, "trtcache-suite-fixtures")
    config.pluginmanager.register(children, "trtcache-spawn")
    config.pluginmanager.register(gates, "trtcache-gates")
    config.pluginmanager.register(deadline, "trtcache-deadline")
    config.pluginmanager.register(liveness, "trtcache-liveness")
    if not hasattr(config, "workerinput"):
        # The controller alone judges and writes, from every worker's reports (as pytest's
        # junitxml registers its writer): these parts need no per-hook role check.
        config.pluginmanager.register(completeness.RunLedger(config), "trtcache-run")
        config.pluginmanager.register(report.ReportPlugin(config), "trtcache-report")
        config.pluginmanager.register(completeness, "trtcache-completeness")
        config.pluginmanager.register(known_gaps.Ledger(config, config.stash[KNOWN_GAPS_KEY]), "trtcache-known-gaps")
        from pytest_trtcache.plugin import scheduling  # an optional hook: xdist alone calls it

        config.pluginmanager.register(scheduling, "trtcache-scheduling")


def _marks(obj: Any) -> list[Any]:
    marks = getattr(obj, "pytestmark", [])
    return marks if isinstance(marks, list) else [marks]


def uses_the_suite(collector: pytest.Collector, obj: Any) -> bool:
    """Whether a test (function or class) about to be built carries the clause marker
    (itself, or its module or class) or names one of the plugin's ``trtcache_*`` fixtures."""
    if any(getattr(m, "name", None) == "clause" for o in (obj, collector.obj) for m in _marks(o)):
        return True
    try:
        names = inspect.signature(obj).parameters if callable(obj) and not inspect.isclass(obj) else {}
    except (TypeError, ValueError):
        return False
    return any(name.startswith(FIXTURE_PREFIX) for name in names)


class Dormant:
    """Watches collection while the plugin is not in use; switches it on when a test needs it."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @pytest.hookimpl(tryfirst=True)
    def pytest_pycollect_makeitem(self, collector: pytest.Collector, name: str, obj: Any) -> None:
        if active(self.config) or not isinstance(collector, (pytest.Module, pytest.Class)):
            return
        if (collector.istestfunction(obj, name) or collector.istestclass(obj, name)) and uses_the_suite(collector, obj):
            activate(self.config)
