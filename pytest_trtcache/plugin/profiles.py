"""The lifecycle profiles (:mod:`pytest_trtcache.lifecycle.profiles`) as the plugin hands them
to the suite: the chosen one, by name in ``config.stash``, taken as a parent explicitly."""

from __future__ import annotations

from typing import Any

from pytest_trtcache.lifecycle.profiles import BUDGETS, CI, DEV, PROFILES, THOROUGH, chosen, named, register

__all__ = ["BUDGETS", "CI", "DEV", "PROFILES", "THOROUGH", "chosen", "register", "settings_of"]


def settings_for(item: Any) -> Any:
    """The settings a test's state machine runs under: the profile's, reporting each
    violated clause as its own bug, without the explain phase (its line coverage names the
    harness's lines, not the target's, and traces every replay of a failing example); for
    a test a known-gaps entry matches, without the shrink phase either, so hypothesis stops
    at the first violation (the expected failure) and shrinks nothing: a gap costs no
    search. A gapped test that passes still uses the whole budget, so a gap that went
    stale is still found. Each failure's shrink is bounded by machine runs
    (:mod:`pytest_trtcache.lifecycle.shrink_budget`)."""
    from hypothesis import Phase, settings

    from pytest_trtcache.plugin.known_gaps import gapped

    parent = settings_of(item.config)
    profile = settings(parent, report_multiple_bugs=True, phases=[p for p in parent.phases if p is not Phase.explain])
    if gapped(item):
        return settings(profile, phases=[p for p in profile.phases if p is not Phase.shrink], report_multiple_bugs=False)
    return profile


def settings_of(config: Any) -> Any:
    """The chosen profile's ``hypothesis.settings``: what the suite's machines and
    ``@given`` tests take as their parent (``settings(parent=settings_of(config), ...)``)."""
    from pytest_trtcache.plugin.keys import PROFILE_KEY

    return named(config.stash[PROFILE_KEY])
