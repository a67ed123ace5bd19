"""The optional parts of a target, and the required clauses each one's absence leaves
unobserved (the gate fails on those unless ``--trtcache-allow-unobserved`` names them).

A target needs only a ``RuntimeCache`` to run; every other upstream name is a part the
suite uses where a clause needs it, and a test that needs a missing part is "not
observable". ``tests/test_partial_targets.py`` runs the suite against a target lacking
each part and checks this table against what the gate saw.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple


class Part(NamedTuple):
    name: str  # as upstream names it
    present: Callable[[Any], bool]  # of a Surface
    unobserved: tuple[str, ...]  # required clauses nothing else observes without it


PARTS = (
    Part("_RuntimeCacheHandle (the handle class)", lambda s: s.handle_class is not None, ("H1", "H2", "H3", "H4", "H5", "H6")),
    Part("runtime_cache() (the context manager)", lambda s: s.runtime_cache is not None, ("A8", "A10", "A12")),
    Part("TorchTensorRTModule (the engine wrapper)", lambda s: s.wrapper_class is not None, ("W1", "W2", "A8", "A10")),
    # The facade calls its own helper; only the at-exit half of A9's check calls it directly.
    Part("_autosave_at_exit (the at-exit helper)", lambda s: s.autosave_at_exit is not None, ()),
)


def missing(surface: Any) -> list[Part]:
    return [part for part in PARTS if not part.present(surface)]
