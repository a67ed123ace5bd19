"""The ``mutate`` extra's imports, in one place: a missing extra is a clear error that
names the install command, not an ImportError from deep inside a run."""

from __future__ import annotations

from types import SimpleNamespace

from .trees import MutateError

_INSTALL = "trtcache mutate needs the mutate extra: pip install 'pytest-trtcache[mutate]'"


def cosmic_ray() -> SimpleNamespace:
    """cosmic-ray's work database (``WorkDB``, ``use_db``, ``WorkerOutcome``,
    ``WorkResult``, ``TestOutcome``) and its config writer (``serialize_config``)."""
    try:
        from cosmic_ray.config import serialize_config
        from cosmic_ray.work_db import WorkDB, use_db
        from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult
    except ImportError as exc:
        raise MutateError(f"{_INSTALL} ({exc})") from None
    return SimpleNamespace(WorkDB=WorkDB, use_db=use_db, WorkerOutcome=WorkerOutcome, WorkResult=WorkResult,
                           TestOutcome=TestOutcome, serialize_config=serialize_config)


def toml():
    """The ``toml`` package, cosmic-ray's own dependency, to read ``--equivalents`` files
    (the standard library's tomllib is 3.11+)."""
    try:
        import toml
    except ImportError as exc:
        raise MutateError(f"{_INSTALL} ({exc})") from None
    return toml
