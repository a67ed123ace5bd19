"""Target resolution: a target string -> :class:`~.base.Target`.

Accepted forms (``--trtcache-target`` / ``TRTCACHE_TARGET``)::

    reference                 this project's reference implementation (default)
    module:<dotted.path>      any importable module with upstream's names (python runtime)
    mutant:<name>             a bug-zoo variant of the reference (self-checking)
    wheel:<requirement>       upstream's python sources from a released wheel (pip download, cached)
    wheel:/path/to/file.whl   the same from a local wheel file
    sources:/path/to/dir      upstream-shaped sources laid out as in the wheel
                              (``<dir>/torch_tensorrt/runtime/_runtime_cache.py``), e.g. a
                              copy that ``trtcache mutate`` mutates
    torch_tensorrt            the installed torch_tensorrt package (cpp and python runtimes)
    <name>                    a vendor target registered under the entry-point group
                              ``pytest_trtcache.targets`` (see :mod:`.entry_points`)
"""

from __future__ import annotations

import importlib
from typing import NamedTuple

from .base import NotObservable, Runtime, RuntimeUnavailable, Surface, Target, TargetError

ENV = "TRTCACHE_TARGET"
DEFAULT = "reference"
FORMS = ("reference", "module:<dotted.path>", "mutant:<name>", "wheel:<requirement>", "wheel:/path/to/file.whl", "sources:/path/to/dir", "torch_tensorrt", "<entry-point name>")


def _module_target(spec: str, dotted: str, validate: bool) -> Target:
    from .upstream_shaped import UpstreamShapedPython

    if not dotted or not all(part.isidentifier() for part in dotted.split(".")):
        raise TargetError(f"bad target {spec!r}: {dotted!r} is not a dotted module path")

    def load():
        try:
            return importlib.import_module(dotted)
        except ImportError as exc:
            raise TargetError(f"target {spec!r}: cannot import {dotted!r}: {exc}") from exc

    if validate:
        load()
    target = Target(spec=spec, description=f"module {dotted}")
    target.runtimes["python"] = UpstreamShapedPython(target, load)
    return target


def _entry_point(name: str):
    from .entry_points import find

    return find(name)


class Form(NamedTuple):
    """A target string split by its grammar: ``kind`` is one of ``reference``, ``module``,
    ``mutant``, ``wheel``, ``sources``, ``torch_tensorrt`` or ``entry_point``; ``value`` what
    follows the colon (the entry point's name for ``entry_point``)."""

    kind: str
    value: str


def parse(spec: str) -> Form:
    """The one parser of the target grammar (:data:`FORMS`); :class:`TargetError` naming
    the string and the accepted forms. An entry point is recognised by its shape here and
    found by :func:`resolve`."""
    spec = (spec or "").strip()
    kind, colon, rest = spec.partition(":")
    if spec in ("reference", "torch_tensorrt"):
        return Form(spec, "")
    if colon and rest and kind in ("module", "mutant", "wheel", "sources"):
        return Form(kind, rest)
    if spec and not colon:
        return Form("entry_point", spec)
    raise TargetError(f"bad target {spec!r}: expected one of {', '.join(FORMS)}")


def resolve(spec: str, role: str = "target", validate: bool = False) -> Target:
    """Resolve a target string; raise :class:`TargetError` naming it and the accepted forms.

    With ``validate``, what resolution alone would leave for later is checked now (a
    ``module:`` target's module is imported), so a bad target is one error before the run
    instead of one per test; a process given an already checked spec skips it."""
    spec = (spec or "").strip()
    kind, rest = parse(spec)
    if kind == "reference":
        from .reference import reference_target

        target = reference_target()
    elif kind == "module":
        target = _module_target(spec, rest, validate)
    elif kind == "mutant":
        from .mutant import mutant_target

        target = mutant_target(spec, rest)
    elif kind == "wheel":
        from .wheel import wheel_target

        target = wheel_target(spec, rest)
    elif kind == "sources":
        from .wheel import sources_target

        target = sources_target(spec, rest)
    elif kind == "torch_tensorrt":
        from .torch_tensorrt import torch_tensorrt_target

        target = torch_tensorrt_target(spec)
    elif (entry := _entry_point(rest)) is not None:
        from .entry_points import entry_point_target

        target = entry_point_target(spec, entry)
    else:
        raise TargetError(f"bad target {spec!r}: expected one of {', '.join(FORMS)}")
    target.role = role
    return target


__all__ = ["DEFAULT", "ENV", "FORMS", "Form", "parse", "NotObservable", "Runtime", "RuntimeUnavailable", "Surface", "Target", "TargetError", "resolve"]
