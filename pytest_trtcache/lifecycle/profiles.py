"""Hypothesis settings profiles for the lifecycle state machines.

``trtcache-dev`` is quick (a default local run of the machine stays around a few
seconds per runtime); ``trtcache-ci`` is deterministic (``derandomize``, no example
database) with a budget large enough to find every in-process lifecycle mutant of the
bug zoo (``ci/lifecycle_power.py`` measures it); ``trtcache-thorough`` is for a
nightly or a local hunt. The plugin names the chosen one when it switches on, registers
them where a machine first asks (:func:`named`), and never loads one for the whole
process (a project that merely has the package installed keeps its own hypothesis
settings, ``--hypothesis-profile`` included): the suite's machines and ``@given`` tests
take the chosen one as their parent (``plugin.profiles.settings_of``). ``--trtcache-profile`` picks
one, ``--trtcache-examples`` overrides its ``max_examples`` and ``--trtcache-steps`` its
``stateful_step_count`` (the rest of the profile, its derandomization included, stays).
"""

from __future__ import annotations

from typing import Any, Optional

DEV, CI, THOROUGH = "trtcache-dev", "trtcache-ci", "trtcache-thorough"
PROFILES = (DEV, CI, THOROUGH)
EXAMPLES_SEP = ":examples="
STEPS_SEP = ":steps="

# (max_examples, stateful_step_count); see ci/lifecycle_power.py for why CI's is enough.
BUDGETS = {DEV: (50, 25), CI: (200, 50), THOROUGH: (1000, 60)}


def _options(name: str) -> dict[str, Any]:
    from hypothesis import HealthCheck

    examples, steps = BUDGETS[name]
    options: dict[str, Any] = dict(max_examples=examples, stateful_step_count=steps, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    if name == CI:
        options.update(derandomize=True, database=None, print_blob=True)
    return options


def make(name: str) -> Any:
    """Profile ``name``'s settings, unregistered: safe inside a running test, where
    hypothesis deprecates registering a profile."""
    from hypothesis import settings

    return settings(settings.get_profile("default"), **_options(name))


def register() -> None:
    from hypothesis import settings

    for name in PROFILES:
        settings.register_profile(name, **_options(name))


def chosen(profile: str, examples: Optional[int] = None, steps: Optional[int] = None) -> str:
    """The name of ``profile`` with ``max_examples`` and ``stateful_step_count`` overridden
    (``trtcache-ci:examples=50:steps=25``; nothing imported or registered: :func:`named`
    registers it where a machine first asks for it)."""
    return profile + (f"{EXAMPLES_SEP}{examples}" if examples else "") + (f"{STEPS_SEP}{steps}" if steps else "")


def named(name: str) -> Any:
    """The ``hypothesis.settings`` of a :func:`chosen` name, registering the profiles on
    first use: the plugin switches on without importing hypothesis (a process that runs
    no machine, such as xdist's controller, never pays for it)."""
    from hypothesis import settings
    from hypothesis.errors import InvalidArgument

    try:
        return settings.get_profile(name)
    except InvalidArgument:
        pass
    rest, _, steps = name.partition(STEPS_SEP)
    base, _, examples = rest.partition(EXAMPLES_SEP)
    try:
        parent = settings.get_profile(base)
    except InvalidArgument:
        register()
        parent = settings.get_profile(base)
    overrides = {"max_examples": int(examples)} if examples else {}
    if steps:
        overrides["stateful_step_count"] = int(steps)
    if overrides:
        settings.register_profile(name, parent=parent, **overrides)
    return settings.get_profile(name)
