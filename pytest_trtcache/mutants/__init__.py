"""The bug zoo: every historical (and plausible) bug as a target variant.

Each mutant is the reference with one bug put back. ``mutant:<name>`` selects it as a
target; the suite must fail it on the clause(s) it names and pass the reference. A
mutant's ``package`` is a module with upstream's names (see ``_build.py``); a cpp
mutant also names a C++ build variant of the torchbind handle.
"""

from __future__ import annotations

from .catalog import MUTANTS, Mutant

__all__ = ["MUTANTS", "Mutant"]
