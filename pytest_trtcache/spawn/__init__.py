"""Child processes: one step of a cross-runtime scenario per child, observed from outside.

``payload`` (a child entry's dataclass <-> JSON), ``protocol`` (step and observation),
``child`` (every child's entry point), ``ops`` (what a step child does per channel, and
the at-exit autosave child), ``channel`` (the lifecycle's cross-process channel),
``environment`` (every child's environment), ``stderr`` (shutdown leaks from stderr),
``safety`` (when fork is unsafe), ``server`` / ``fork_client`` (the warm fork server),
``spawners`` (exec / fork / auto), ``pairs`` (runtime pairs). The pytest wiring is
``pytest_trtcache.plugin.children``.
Nothing here imports torch at import time.
"""
