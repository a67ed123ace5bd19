"""Report files: checked before a run, written atomically, read back with one-line errors."""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any

from pytest_trtcache.report.schema import ReportError, validate


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


def load(path: str) -> dict[str, Any]:
    """The report at ``path``, validated; :class:`ReportError` with one line otherwise."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as exc:
        raise ReportError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ReportError(f"{path} is not JSON: {exc}") from None
    try:
        return validate(data)
    except ReportError as exc:
        raise ReportError(f"{path}: {exc}") from None
