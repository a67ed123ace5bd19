"""Record files: checked before a run, written atomically, read back into the same types
with one-line errors.

:func:`to_json` and :func:`from_json` are the one (de)serializer of the typed records of
:mod:`.records`: a field is read by its annotation (a nested record, an enum, a tuple, a
mapping, ``Optional``), and a field missing from an older file takes its default.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import os
import tempfile
import typing
from typing import Any, Mapping, TypeVar

from pytest_trtcache.report.records import MutantVerdict, Report
from pytest_trtcache.report.schema import ReportError, validate

R = TypeVar("R")


def unwritable(path: str, *, append: bool = False) -> str:
    """Why ``path`` cannot be written (empty when it can): its directory is missing or not
    a directory or not writable, or the file itself is not writable."""
    target = os.path.abspath(path)
    directory = os.path.dirname(target)
    if os.path.isdir(target):
        return f"{path} is a directory"
    if not os.path.isdir(directory):
        return f"directory {directory} does not exist" if not os.path.exists(directory) else f"{directory} is not a directory"
    if os.path.exists(target) and not os.access(target, os.W_OK):
        return f"{path} is not writable"
    # An atomic write makes a temp file beside the target; an append needs only the file.
    if not (append and os.path.exists(target)) and not os.access(directory, os.W_OK):
        return f"directory {directory} is not writable"
    return ""


def write_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old file or the new one, never
    a part (a full disk, a kill): a temp file in the same directory, then ``os.replace``."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_json(path: str, data: Any) -> None:
    write_atomic(path, json.dumps(data, indent=1) + "\n")


def to_json(record: Any) -> Any:
    """A record (or a tuple, mapping, enum of them) as JSON-able data."""
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return {f.name: to_json(getattr(record, f.name)) for f in dataclasses.fields(record)
                if not (f.metadata.get("omit_none") and getattr(record, f.name) is None)}
    if isinstance(record, enum.Enum):
        return record.value
    if isinstance(record, (list, tuple)):
        return [to_json(item) for item in record]
    if isinstance(record, Mapping):
        return {to_json(key): to_json(value) for key, value in record.items()}
    return record


def from_json(kind: "type[R]", data: Any) -> R:
    """``data`` (as :func:`to_json` wrote it) read back into ``kind``; ``ValueError`` or
    ``TypeError`` when it does not fit."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if dataclasses.is_dataclass(kind):
        if not isinstance(data, dict):
            raise TypeError(f"{kind.__name__}: expected an object, got {type(data).__name__}")
        hints = typing.get_type_hints(kind)
        return kind(**{f.name: from_json(hints[f.name], data[f.name]) for f in dataclasses.fields(kind) if f.init and f.name in data})
    if origin is typing.Union:
        if data is None and type(None) in args:
            return None  # type: ignore[return-value]
        return from_json(next(a for a in args if a is not type(None)), data)
    if origin is tuple:
        return tuple(from_json(args[0], item) for item in data)  # type: ignore[return-value]
    if origin in (dict, Mapping, typing.Mapping) or kind is dict:
        key, value = args or (Any, Any)
        return {from_json(key, k): from_json(value, v) for k, v in data.items()}  # type: ignore[return-value]
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(data)
    return data


def _read_json(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as exc:
        raise ReportError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ReportError(f"{path} is not JSON: {exc}") from None


def read_report(data: Any) -> Report:
    """A report's JSON data, validated against the schema, as a :class:`Report`."""
    try:
        return from_json(Report, validate(data))
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise ReportError(exc if isinstance(exc, ReportError) else f"not a report: {exc}") from None


def load(path: str) -> Report:
    """The report at ``path``; :class:`ReportError` with one line otherwise."""
    data = _read_json(path)
    try:
        return read_report(data)
    except ReportError as exc:
        raise ReportError(f"{path}: {exc}") from None


def write_report(path: str, report: Report) -> None:
    write_json(path, to_json(report))


def dumps(record: Any) -> str:
    """A record as one JSON document (a line)."""
    return json.dumps(to_json(record)) + "\n"


def read_verdict(text: str) -> MutantVerdict:
    """The :class:`MutantVerdict` the mutation test command wrote as its whole standard
    output; :class:`ReportError` naming what came instead."""
    try:
        return from_json(MutantVerdict, json.loads(text))
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        shown = text.strip()[-600:] or "nothing"
        raise ReportError(f"the test command's output is not a mutant verdict ({exc}): {shown}") from None
