"""Log records and warnings that keep nothing alive, for the liveness clauses (A3, A5).

Ordinary vendor code reports a failure with the exception or the object itself:
``log.warning("autosave of %r failed: %s", self, exc)``, ``exc_info=True``,
``log.exception(...)``, ``warnings.warn(RuntimeWarning(exc))``. The record or warning
then holds the object, or the exception whose traceback's frames hold it; pytest's log
and warning capture keep those until the test ends, so a facade the test dropped stays
alive and a liveness check fails on a correct implementation.

While :func:`frozen_reports` is active, a log record is rendered as it is made (its
message formatted, its exception and stack turned into text, its arguments dropped) and
a warning keeps only its category and text: every handler and formatter still prints
exactly what it would have printed, and none of them holds a reference to user objects.
"""

from __future__ import annotations

import contextlib
import logging
import traceback
import warnings
from typing import Any, Callable, Iterator


def freeze_record(record: logging.LogRecord) -> logging.LogRecord:
    """``record`` with its message, exception and arguments turned into text, in place."""
    if record.args:
        try:
            record.msg, record.args = record.getMessage(), ()
        except Exception as exc:  # logging would report it at emit time; say it now, as text
            record.msg, record.args = f"<unformattable log message {record.msg!r}: {type(exc).__name__}: {exc}>", ()
    else:
        record.msg = str(record.msg)
    if record.exc_info:
        if not record.exc_text and isinstance(record.exc_info, tuple):
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_info = None
    return record


def _frozen_warning_class(original: type) -> type:
    class FrozenWarningMessage(original):  # type: ignore[misc, valid-type]
        """``warnings.WarningMessage`` keeping the warning's category and text only."""

        def __init__(self, message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None, source: Any = None) -> None:
            if isinstance(message, Warning):
                text = str(message)
                message = Warning.__new__(type(message))
                message.args = (text,)
            super().__init__(message, category, filename, lineno, file, line, None)

    return FrozenWarningMessage


@contextlib.contextmanager
def frozen_reports() -> Iterator[None]:
    """Within the block, log records and warnings hold text, never the objects they name."""
    previous_factory: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return freeze_record(previous_factory(*args, **kwargs))

    original_message = warnings.WarningMessage
    logging.setLogRecordFactory(factory)
    # CPython's C warnings module builds each WarningMessage through this module attribute.
    warnings.WarningMessage = _frozen_warning_class(original_message)  # type: ignore[misc]
    try:
        yield
    finally:
        warnings.WarningMessage = original_message  # type: ignore[misc]
        logging.setLogRecordFactory(previous_factory)
