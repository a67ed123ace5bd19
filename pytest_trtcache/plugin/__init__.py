"""The pytest plugin: everything that talks to pytest.

``hooks`` is the entry point (``pytest -p trtcache``): options, markers, target
selection, and the registration of the rest: ``fixtures`` (target, runtime, the
unraisable guard, check), ``children`` (the spawner, ``spawn``, ``runtime_pair``),
``report`` and ``matrix`` (the JSON report and its Markdown view), ``gates`` and
``known_gaps`` (what fails a run), ``profiles`` (the lifecycle machines' hypothesis
budgets), ``options`` (every option, one table) and ``keys`` (``config.stash`` keys).
Importing this package imports nothing else: the plugin stays cheap to load.
"""
