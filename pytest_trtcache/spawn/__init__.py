"""Child processes: one step of a cross-runtime scenario per child, observed from outside.

``protocol`` (step / observation <-> JSON), ``child`` (the child's entry point),
``ops`` (what a child does per channel), ``stderr`` (shutdown leaks from stderr),
``safety`` (when fork is unsafe), ``server`` (the warm fork server), ``spawners``
(exec / fork / auto), ``pairs`` (runtime pairs), ``fixtures`` (pytest wiring).
Nothing here imports torch at import time.
"""
