"""The report's JSON schema (``schema.json``, shipped beside this module) and its check.

The records themselves are :mod:`.records`; :mod:`.files` reads and writes them. A
report of an older ``schema_version`` still reads (the fields added since are optional);
one of a newer version names the version instead of half-reading it.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

SCHEMA_VERSION = 2  # 2: run, peer, profile, hypothesis_seed, per-test duration
#: the oldest schema_version this reader reads
OLDEST_SCHEMA_VERSION = 1
TOOL = "pytest-trtcache"


class ReportError(ValueError):
    """A file or value that is not a report this version can read."""


def json_schema() -> dict[str, Any]:
    return json.loads(resources.files(__package__).joinpath("schema.json").read_text(encoding="utf-8"))


def validate(doc: Any) -> dict[str, Any]:
    """``doc`` if it is a report of a schema version this reader reads, else
    :class:`ReportError` (one line)."""
    if not isinstance(doc, dict):
        raise ReportError(f"not a report: a JSON {type(doc).__name__}, expected an object")
    version = doc.get("schema_version")
    if not isinstance(version, int) or not OLDEST_SCHEMA_VERSION <= version <= SCHEMA_VERSION:
        raise ReportError(f"not a report of schema version {OLDEST_SCHEMA_VERSION} to {SCHEMA_VERSION}: schema_version is {version!r}")
    try:
        import jsonschema
    except ImportError:  # a runtime dependency-free install: the version check above stands
        if not isinstance(doc.get("tests"), list) or not isinstance(doc.get("clauses"), list):
            raise ReportError("not a report: 'tests' and 'clauses' must be lists") from None
        return doc
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(json_schema()).iter_errors(doc))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise ReportError(f"not a valid report at {where}: {error.message}")
    return doc
