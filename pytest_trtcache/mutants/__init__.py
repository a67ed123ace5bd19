"""The bug zoo: every historical (and plausible) bug as a target variant.

Each mutant is the reference with one bug put back. ``mutant:<name>`` selects it as a
target; the suite must fail it on the clause(s) it names and pass the reference. A
mutant's ``package`` is a module with upstream's names (see ``_build.py``); a cpp
mutant also names a C++ build variant of the torchbind handle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pytest_trtcache.targets.base import Target, TargetError


@dataclass(frozen=True)
class Mutant:
    name: str
    clauses: tuple[str, ...]  # the clauses that must fail on it
    origin: str  # the upstream change it undoes, or "plausible"
    description: str
    runtimes: tuple[str, ...] = ("python",)  # runtimes the mutant target has
    cpp_variant: str = ""  # C++ preprocessor variant for the cpp runtime
    package: str = field(default="")

    @property
    def module(self) -> str:
        return self.package or f"pytest_trtcache.mutants.{self.name.replace('-', '_')}"


MUTANTS: dict[str, Mutant] = {}


def register(mutant: Mutant) -> Mutant:
    if mutant.name in MUTANTS:
        raise ValueError(f"duplicate mutant {mutant.name!r}")
    MUTANTS[mutant.name] = mutant
    return mutant


def mutant_target(spec: str, name: str) -> Target:
    from . import catalog  # noqa: F401  (fills MUTANTS)
    from pytest_trtcache.targets.reference import reference_target

    mutant = MUTANTS.get(name)
    if mutant is None:
        raise TargetError(f"bad target {spec!r}: no mutant {name!r} (known: {', '.join(sorted(MUTANTS))})")
    target = reference_target(spec, package=mutant.module, description=f"mutant: {mutant.description}")
    for runtime in list(target.runtimes):
        if runtime not in mutant.runtimes:
            del target.runtimes[runtime]
    return target
