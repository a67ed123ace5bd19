"""Hypothesis settings profiles for the lifecycle state machines.

``trtcache-dev`` is quick (a default local run of the machine stays around a few
seconds per runtime); ``trtcache-ci`` is deterministic (``derandomize``, no example
database) with a budget large enough to find every in-process lifecycle mutant of the
bug zoo (``ci/lifecycle_power.py`` measures it); ``trtcache-thorough`` is for a
nightly or a local hunt. The plugin registers them once it is in use and never loads one for the
whole process (a project that merely has the package installed keeps its own hypothesis
settings, ``--hypothesis-profile`` included): the suite's machines and ``@given`` tests
take the chosen one as their parent (:func:`settings_of`). ``--trtcache-profile`` picks
one and ``--trtcache-examples`` overrides its ``max_examples``.
"""

from __future__ import annotations

from typing import Any, Optional

DEV, CI, THOROUGH = "trtcache-dev", "trtcache-ci", "trtcache-thorough"
PROFILES = (DEV, CI, THOROUGH)

# (max_examples, stateful_step_count); see ci/lifecycle_power.py for why CI's is enough.
BUDGETS = {DEV: (50, 25), CI: (200, 50), THOROUGH: (1000, 60)}


def register() -> None:
    from hypothesis import HealthCheck, settings

    common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile(DEV, max_examples=BUDGETS[DEV][0], stateful_step_count=BUDGETS[DEV][1], **common)
    settings.register_profile(
        CI, max_examples=BUDGETS[CI][0], stateful_step_count=BUDGETS[CI][1], derandomize=True, database=None, print_blob=True, **common
    )
    settings.register_profile(THOROUGH, max_examples=BUDGETS[THOROUGH][0], stateful_step_count=BUDGETS[THOROUGH][1], **common)


def chosen(profile: str, examples: Optional[int] = None) -> str:
    """The name of ``profile`` with ``max_examples`` overridden (registered, not loaded)."""
    from hypothesis import settings

    name = profile
    if examples:
        name = f"{profile}:examples={examples}"
        settings.register_profile(name, parent=settings.get_profile(profile), max_examples=examples)
    return name
