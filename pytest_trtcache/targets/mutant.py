"""``mutant:<name>``: the reference with one bug of the zoo put back (``pytest_trtcache.mutants``)."""

from __future__ import annotations

from pytest_trtcache.mutants import MUTANTS

from .base import Target, TargetError
from .reference import reference_target


def mutant_target(spec: str, name: str) -> Target:
    mutant = MUTANTS.get(name)
    if mutant is None:
        raise TargetError(f"bad target {spec!r}: no mutant {name!r} (known: {', '.join(sorted(MUTANTS))})")
    target = reference_target(spec, package=mutant.module, description=f"mutant: {mutant.description}")
    for runtime in list(target.runtimes):
        if runtime not in mutant.runtimes:
            del target.runtimes[runtime]
    return target
