"""The reference as a total oracle: a hypothesis state machine that runs every step on
the target and on the reference, each in a sandbox of its own, and compares what a
caller sees after it (docs/contract.md, section 6).

One idea per module: :mod:`.operations` (the public calls), :mod:`.side` (one
implementation in its sandbox), :mod:`.world` (the snapshot and the clause owning each
field), :mod:`.compare` (a difference as a ``ClauseViolation``), :mod:`.machine`.
"""

from __future__ import annotations

from .compare import compare
from .machine import DifferentialMachine, differential_machine
from .world import OWNER, World

__all__ = ["OWNER", "DifferentialMachine", "World", "compare", "differential_machine"]
