"""What counts as "reported": a log record at WARNING or above, or a Python warning."""

from __future__ import annotations

import logging
import warnings
from typing import Iterator

import contextlib


class Reports:
    def __init__(self) -> None:
        self.records: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.records)

    def text(self) -> str:
        return "\n".join(self.records)


class _Handler(logging.Handler):
    def __init__(self, reports: Reports) -> None:
        super().__init__(logging.WARNING)
        self.reports = reports

    def emit(self, record: logging.LogRecord) -> None:
        self.reports.records.append(f"log {record.levelname} {record.name}: {record.getMessage()}")


@contextlib.contextmanager
def capture_reports() -> Iterator[Reports]:
    """Collect warnings logged anywhere (root handler) and warnings.warn calls."""
    reports, handler, root = Reports(), None, logging.getLogger()
    handler = _Handler(reports)
    root.addHandler(handler)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield reports
        finally:
            root.removeHandler(handler)
            reports.records += [f"warning {w.category.__name__}: {w.message}" for w in caught]
