"""The pytest plugin: everything that talks to pytest.

``hooks`` is the entry point (``pytest -p trtcache``): options, markers, target
selection, and the registration of the rest: ``fixtures`` (target, runtime, the
unraisable guard, check), ``children`` (the spawner, ``spawn``, ``runtime_pair``),
``gates`` (a test's outcome as a verdict record, and ``--trtcache-level``), ``report``
(the JSON report and step summary, through :mod:`pytest_trtcache.report`), ``known_gaps``, ``profiles`` (the lifecycle machines' hypothesis
budgets), ``options`` (every option, one table) and ``keys`` (``config.stash`` keys).
Importing this package imports nothing else: the plugin stays cheap to load.
"""
