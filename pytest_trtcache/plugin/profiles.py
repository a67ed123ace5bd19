"""The lifecycle profiles (:mod:`pytest_trtcache.lifecycle.profiles`) as the plugin hands them
to the suite: the chosen one, by name in ``config.stash``, taken as a parent explicitly."""

from __future__ import annotations

from typing import Any

from pytest_trtcache.lifecycle.profiles import BUDGETS, CI, DEV, PROFILES, THOROUGH, chosen, register

__all__ = ["BUDGETS", "CI", "DEV", "PROFILES", "THOROUGH", "chosen", "register", "settings_of"]


def settings_of(config: Any) -> Any:
    """The chosen profile's ``hypothesis.settings``: what the suite's machines and
    ``@given`` tests take as their parent (``settings(parent=settings_of(config), ...)``)."""
    from hypothesis import settings

    from pytest_trtcache.plugin.keys import PROFILE_KEY

    return settings.get_profile(config.stash[PROFILE_KEY])
