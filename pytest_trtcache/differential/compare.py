"""Two Worlds compared field by field: a difference is a violation of the field's clause.

Fields are compared in an order that names the cause before its consequences (a
changed process setting or a leaked thread first, the step's outcome last). Fields
whose clause the run does not check (a known gap) are left out, and the caller is told.
"""

from __future__ import annotations

from typing import Callable, Optional

from pytest_trtcache.lifecycle.violations import violation_of

from .world import OWNER, World

# A leftover file shows in ``modes`` too: ``tree`` first, so it is E10's; when the trees
# are equal, ``modes`` compares the same paths.
ORDER = ("process", "threads", "fds", "atexit_hooks", "streams", "caller_tensor", "copy_independent", "lock_wait", "tree", "modes", "outcome")
assert set(ORDER) == set(OWNER)


def owner(field: str, outcome_owner: Optional[str]) -> str:
    return outcome_owner if field == "outcome" and outcome_owner else OWNER[field]


def compare(
    reference: World,
    target: World,
    *,
    step: str,
    runtime: str,
    outcome_owner: Optional[str] = None,
    skip: frozenset[str] = frozenset(),
    reproduce: Callable[[str], str] = lambda clause: "",
) -> None:
    """Raise a :class:`ClauseViolation` on the owner of the first field that differs (of
    the clause's own type, so that hypothesis tells clauses apart); ``expected`` is the
    reference's whole World, ``observed`` the target's."""
    for field in ORDER:
        clause = owner(field, outcome_owner)
        if clause in skip:
            continue
        ours, theirs = getattr(target, field), getattr(reference, field)
        if ours != theirs:
            raise violation_of(clause)(
                clause,
                f"differential oracle: after this step the target's {field} is {ours!r} where the reference's is {theirs!r} (whole Worlds: expected = reference, observed = target)",
                runtime=runtime,
                step=step,
                expected=reference.as_dict(),
                observed=target.as_dict(),
                compared=True,
                reproduce=reproduce(clause),
            )
