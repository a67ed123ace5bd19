"""Clause-tagged tests run with frozen log records and warnings (``contract/frozen_reports``):
pytest's log and warning capture then cannot keep a facade alive past its last reference,
so a vendor that logs the exception it caught still passes the liveness clauses."""

from __future__ import annotations

from typing import Any, Optional

import pytest

from pytest_trtcache.contract.frozen_reports import frozen_reports


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: Optional[pytest.Item]) -> Any:
    if item.get_closest_marker("clause") is None:
        return (yield)
    with frozen_reports():
        return (yield)
