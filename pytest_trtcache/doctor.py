"""``trtcache doctor``: what can run here, and why not."""

from __future__ import annotations

import importlib
import importlib.util
import shutil
import subprocess
from typing import Optional

SPAWNER_MODULES = ("pytest_trtcache.spawn",)


def _line(name: str, value: str) -> None:
    print(f"{name:<16} {value}")


def compiler() -> str:
    cxx = shutil.which("c++")
    if cxx is None:
        return "none (no c++ on PATH): the cpp reference runtime cannot be built"
    try:
        out = subprocess.run([cxx, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{cxx}: failed to run ({exc})"
    return f"{cxx}: {out.splitlines()[0] if out else '?'}"


def spawner() -> str:
    """Report only what exists in this build (the spawner is optional)."""
    import os
    import sys

    fork = "fork available" if hasattr(os, "fork") and sys.platform.startswith("linux") else "fork unavailable on this platform"
    for name in SPAWNER_MODULES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:  # absent, or an empty namespace dir
            continue
        module = importlib.import_module(name)
        modes = getattr(module, "available_modes", None) or getattr(module, "MODES", None)
        if callable(modes):
            modes = modes()
        return f"{name}: modes {', '.join(modes) if modes else '(module does not list them)'}; {fork}"
    return f"in-process only (no pytest_trtcache.spawn in this build); {fork}, exec always available"


def runtimes(spec: str) -> list[str]:
    from pytest_trtcache.targets import TargetError, resolve

    try:
        target = resolve(spec)
    except TargetError as exc:
        return [f"{spec}: does not resolve: {exc}"]
    lines = [f"{spec}: {target.description}; versions {target.versions or '-'}"]
    for name, rt in target.runtimes.items():
        try:
            reason = rt.unavailable_reason()
            if reason is None:
                rt.api
        except Exception as exc:  # any failure to load is what doctor is for
            reason = f"{type(exc).__name__}: {exc}"
        lines.append(f"  runtime {name}: " + ("available" if reason is None else f"unavailable: {reason}"))
    return lines


def main(target: Optional[str] = None) -> int:
    from importlib import metadata

    from pytest_trtcache import __version__
    from pytest_trtcache.cachedir import cache_dir, writable
    from pytest_trtcache.targets import entry_points

    try:
        torch_version = metadata.version("torch")
    except metadata.PackageNotFoundError:
        torch_version = "not installed"
    _line("pytest-trtcache", __version__)
    _line("torch", torch_version)
    _line("compiler", compiler())
    try:
        path = cache_dir()
        _line("cache dir", f"{path} ({'writable' if writable(path) else 'NOT writable'})")
    except OSError as exc:
        _line("cache dir", f"cannot create: {exc}")
    _line("spawner", spawner())
    _line("entry points", ", ".join(entry_points.names()) or "none")
    specs = ["reference"] + ([target] if target and target != "reference" else [])
    if target is None and importlib.util.find_spec("torch_tensorrt") is not None:
        specs.append("torch_tensorrt")
    for spec in specs:
        for line in runtimes(spec):
            _line("target", line)
    return 0
