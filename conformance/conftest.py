"""The conformance suite: run with ``pytest -p trtcache conformance/``.

Every test is tagged ``@pytest.mark.clause(ID)`` and takes the ``runtime`` fixture (or
a pair); expected values come from the reference model (``reference/kernels.py``),
never from re-running the target.
"""

from __future__ import annotations

import pytest

from .spies import AtexitSpy


@pytest.fixture
def atexit_spy(monkeypatch: pytest.MonkeyPatch) -> AtexitSpy:
    """``atexit.register``/``unregister`` recorded into a fake registry for this test."""
    return AtexitSpy().install(monkeypatch)
