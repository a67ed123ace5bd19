"""Vendor targets registered by entry point, group ``pytest_trtcache.targets``.

The entry point's value is either a callable returning a :class:`~.base.Target`, or a
module with upstream's names (``RuntimeCache``, ``_RuntimeCacheHandle``,
``_autosave_at_exit``, ``runtime_cache``), run as a python runtime::

    [project.entry-points."pytest_trtcache.targets"]
    acme = "acme_trt.conformance:target"      # callable -> Target
    acme-py = "acme_trt.runtime_cache"        # module with upstream's names

``--trtcache-target=acme`` selects it.
"""

from __future__ import annotations

from importlib import metadata
from types import ModuleType
from typing import Optional

from .base import Target, TargetError

GROUP = "pytest_trtcache.targets"


def find(name: str) -> Optional[metadata.EntryPoint]:
    matches = metadata.entry_points(group=GROUP, name=name)
    return next(iter(matches), None)


def names() -> list[str]:
    return sorted({ep.name for ep in metadata.entry_points(group=GROUP)})


def entry_point_target(spec: str, entry: metadata.EntryPoint) -> Target:
    where = f"entry point {entry.name} = {entry.value} (group {GROUP})"
    try:
        obj = entry.load()
    except Exception as exc:
        raise TargetError(f"target {spec!r}: loading {where} failed: {type(exc).__name__}: {exc}") from exc
    if isinstance(obj, ModuleType):
        from .upstream_shaped import UpstreamShapedPython

        target = Target(spec=spec, description=f"{where}: module {obj.__name__}")
        target.runtimes["python"] = UpstreamShapedPython(target, lambda: obj)
    elif callable(obj):
        target = obj()
        if not isinstance(target, Target):
            raise TargetError(f"target {spec!r}: {where} returned {type(target).__name__}, expected a pytest_trtcache Target")
        target.spec = spec
        target.description = target.description or where
    else:
        raise TargetError(f"target {spec!r}: {where} is neither a module nor a callable returning a Target")
    if entry.dist is not None:
        target.versions.setdefault(entry.dist.name, entry.dist.version)
    return target
