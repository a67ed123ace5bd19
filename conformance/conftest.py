"""The conformance suite: run with ``pytest -p trtcache conformance/``.

Every test is tagged ``@pytest.mark.clause(ID)`` and takes the ``runtime`` fixture (or
a pair); expected values come from the reference model (``reference/kernels.py``),
never from re-running the target. The harness (targets, children, recorders, the
collector's tuning) is the plugin's: see ``pytest_trtcache/plugin/``.
"""
