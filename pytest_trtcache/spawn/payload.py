"""A child's payload: one flat dataclass, as JSON on the wire (a fork request or an exec
argument), rebuilt as the same class in the child.

Every child entry (``module:function``) takes one payload, so the parent builds a typed
value and never a JSON string by hand: a misspelled field is a ``TypeError`` in the
parent, not a ``KeyError`` in a child's stderr.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from typing import Any


def dumps(payload: Any) -> str:
    """``{"type": "module:Class", "fields": {...}}`` of a dataclass instance."""
    if not dataclasses.is_dataclass(payload) or isinstance(payload, type):
        raise TypeError(f"a child payload is a dataclass instance, got {type(payload).__name__}")
    cls = type(payload)
    return json.dumps({"type": f"{cls.__module__}:{cls.__qualname__}", "fields": dataclasses.asdict(payload)})


def loads(text: str) -> Any:
    """The payload :func:`dumps` wrote, as an instance of its class."""
    data = json.loads(text)
    module, _, name = data["type"].partition(":")
    cls = getattr(importlib.import_module(module), name)
    return cls(**data["fields"])
