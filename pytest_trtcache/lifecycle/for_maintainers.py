"""For maintainers' test files: the machine bound to a target spec or a Runtime, as a
class or as a ``unittest.TestCase``."""

from __future__ import annotations

from typing import Any, Optional, Union

from hypothesis import settings as Settings
from hypothesis.stateful import RuleBasedStateMachine

from pytest_trtcache.lifecycle.machine import lifecycle_machine
from pytest_trtcache.targets.base import Runtime


def machine_for(target: Union[str, Runtime], runtime_name: str = "python", **kwargs: Any) -> type[RuleBasedStateMachine]:
    """The machine class for a target spec (``"module:pkg.mod"``) or a Runtime."""
    if isinstance(target, str):
        from pytest_trtcache.targets import resolve

        rt = resolve(target).runtime(runtime_name)
        kwargs.setdefault("setup", f"from pytest_trtcache.lifecycle import machine_for; LifecycleMachine = machine_for({target!r}, {runtime_name!r})")
    else:
        rt = target
        kwargs.setdefault("setup", f"from pytest_trtcache.lifecycle import machine_for; from pytest_trtcache.targets import resolve; LifecycleMachine = machine_for(resolve({rt.target.spec!r}).runtime({rt.name!r}))")
    return lifecycle_machine(rt, **kwargs)


def machine_test_case(target: Union[str, Runtime], runtime_name: str = "python", settings: Optional[Settings] = None, **kwargs: Any) -> type:
    """A ``unittest.TestCase`` running the lifecycle machine against ``target``.

    ``settings`` defaults to the loaded hypothesis profile (``--trtcache-profile``).
    """
    machine = machine_for(target, runtime_name, **kwargs)
    case = machine.TestCase
    case.settings = settings if settings is not None else Settings(deadline=None)
    return case
