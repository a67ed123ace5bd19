"""The contract and the instruments that judge it, with no pytest wiring.

``spec`` (the clauses: the source of CLAUSES.md), ``check`` (clause-named verdicts),
``unraisable`` (the ``sys.unraisablehook`` recorder: A2), ``reported`` (what counts as
reported: A9, S6, X2), ``faults`` (a save stopped at each file-system event: S4),
``parity`` (the python/cpp comparison: H7). Used by the plugin, the conformance suite,
the lifecycle machines and child processes alike.
"""
