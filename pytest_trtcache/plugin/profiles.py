"""Hypothesis settings profiles for the lifecycle state machines.

``trtcache-dev`` is quick (a default local run of the machine stays around a few
seconds per runtime); ``trtcache-ci`` is deterministic (``derandomize``, no example
database) with a budget large enough to find every in-process lifecycle mutant of the
bug zoo (``ci/lifecycle_power.py`` measures it); ``trtcache-thorough`` is for a
nightly or a local hunt. Registered in ``pytest_configure``; ``--trtcache-profile``
picks one and ``--trtcache-examples`` overrides its ``max_examples``.
"""

from __future__ import annotations

from typing import Optional

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


def load(profile: str, examples: Optional[int] = None) -> str:
    """Load ``profile`` (with ``max_examples`` overridden); returns the loaded name."""
    from hypothesis import settings

    name = profile
    if examples:
        name = f"{profile}:examples={examples}"
        settings.register_profile(name, parent=settings.get_profile(profile), max_examples=examples)
    settings.load_profile(name)
    return name
