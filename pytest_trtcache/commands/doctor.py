"""``trtcache doctor``: what can run here, what is missing, and the command that fixes it.

Exit status: 0 when everything the default job needs is here (torch, the reference
python runtime) and every target asked about resolves; 1 when something required is
missing or ``--target`` does not resolve (a ``module:`` target is imported, as the run
imports it: an ImportError is named). numpy (for upstream wheels) is optional. A C++
compiler and ninja build the reference's cpp runtime (and mutant targets'): without them
that runtime cannot run, and the gate fails a run of such a target unless the run leaves
the runtime out (``--trtcache-runtimes=python``); doctor says so, and each target's runtime
lines say which runtimes could not run here.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from typing import Any, Optional


@dataclass
class Need:
    name: str
    found: Optional[str]  # what is here, or None when missing
    needed_for: str
    fix: str
    required: bool
    why: str = ""  # what the probe saw, when it is here but unusable
    without: str = ""  # what a run without it does, when that is more than "optional"

    def line(self) -> str:
        if self.found is not None:
            return self.found
        kind = "MISSING (required)" if self.required else "MISSING" if self.without else "missing (optional)"
        seen = f" ({self.why})" if self.why else ""
        without = f"; {self.without}" if self.without else ""
        return f"{kind}{seen}: needed for {self.needed_for}{without}; fix: {self.fix}"


def _version(distribution: str) -> Optional[str]:
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def compiler() -> tuple[Optional[str], str]:
    """(the C++ compiler the cpp runtime would build with, or None; why not), probed by
    compiling a one-line file as the build would run it."""
    from pytest_trtcache.toolchain import Unavailable, compiler as probe

    try:
        cxx, version = probe(compiles=True)
    except Unavailable as exc:
        return None, str(exc)
    return f"{cxx}: {version or '?'} (compiles a C++17 file)", ""


def needs() -> list[Need]:
    """Everything the package uses at run time that pip may not have put here."""
    torch = _version("torch")
    numpy = _version("numpy")
    from pytest_trtcache.toolchain import ninja_path

    ninja = ninja_path()
    cxx, cxx_why = compiler()
    cpp_gate = ("without it that runtime cannot run, and a run of a target that has it (reference, mutant:) fails the gate "
                "unless it leaves the runtime out: --trtcache-runtimes=python")
    return [
        Need("torch", torch, "everything (every runtime, every child)",
             "pip install torch==2.13.0   (the CPU build; a plain `pip install torch` may pull a CUDA build)", True),
        Need("numpy", numpy, "wheel: targets (upstream's deserialize() calls Tensor.numpy())",
             "pip install 'pytest-trtcache[upstream]'   (or: pip install numpy)", False),
        Need("compiler", cxx, "the reference cpp runtime (torch.utils.cpp_extension)",
             "apt-get install g++   (or set CXX to a C++17 compiler's path)", False, cxx_why, cpp_gate),
        Need("ninja", ninja, "the reference cpp runtime (torch.utils.cpp_extension builds with it)",
             f"{sys.executable} -m pip install ninja", False, without=cpp_gate),
    ]


def spawner() -> str:
    from pytest_trtcache.spawn.safety import fork_unsafe_reason

    if not (hasattr(os, "fork") and sys.platform.startswith("linux")):
        return "exec only (fork is not available on this platform)"
    reason = fork_unsafe_reason()
    return "fork server (auto) and exec" if reason is None else f"exec (fork unsafe in this process: {reason})"


def runtimes(spec: str) -> list[str]:
    """A line for the target and one per runtime; raises TargetError when ``spec`` does not resolve."""
    from pytest_trtcache.targets import resolve

    target = resolve(spec, validate=True)  # as the run resolves it: a module: target is imported
    lines = [f"{spec}: {target.description}; versions {target.versions or '-'}"]
    names = list(target.runtimes)
    for name, rt in target.runtimes.items():
        try:
            reason = rt.unavailable_reason()
            if reason is None:
                rt.api
        except Exception as exc:  # any failure to load is what doctor is for
            reason = f"{type(exc).__name__}: {exc}"
        others = ",".join(n for n in names if n != name)
        gate = f"; a run of this target fails the gate on it unless it leaves it out: --trtcache-runtimes={others}" if others else ""
        lines.append(f"  runtime {name}: " + ("available" if reason is None else f"unavailable: {reason}{gate}"))
        if reason is None:
            lines += _missing_parts(rt) + _harness_interface(rt)
    return lines


def _harness_interface(runtime: Any) -> list[str]:
    """Whether the harness can drive the runtime's engine wrapper (targets/engine_wrapper.py)."""
    from pytest_trtcache.targets.engine_wrapper import HarnessInterfaceError, check

    if not runtime.may_have_wrapper or runtime.api.wrapper_class is None:
        return []
    try:
        check(runtime)
    except HarnessInterfaceError as exc:
        return [f"    {exc}"]
    return ["    harness interface: the engine wrapper takes every call the harness makes"]


def _missing_parts(runtime: Any) -> list[str]:
    """A line per part the runtime lacks, with the required clauses it leaves unobserved."""
    from pytest_trtcache.targets.parts import missing

    lines = []
    for part in missing(runtime.api):
        clauses = ", ".join(part.unobserved)
        effect = f"required {clauses} not observable (the gate fails unless --trtcache-allow-unobserved={','.join(part.unobserved)})" if clauses else "no required clause needs it"
        lines.append(f"    lacks {part.name}: {effect}")
    return lines


def _line(name: str, value: str) -> None:
    print(f"{name:<16} {value}")


def main(target: Optional[str] = None) -> int:
    from pytest_trtcache import __version__
    from pytest_trtcache.cachedir import cache_dir, writable
    from pytest_trtcache.targets import entry_points

    _line("pytest-trtcache", __version__)
    _line("python", f"{sys.executable} ({sys.version.split()[0]})")
    found = needs()
    for need in found:
        _line(need.name, need.line())
    missing = [n.name for n in found if n.required and n.found is None]
    if missing:
        print(f"\ntrtcache doctor: {', '.join(missing)} missing; nothing can run until it is installed (see the fix above)", file=sys.stderr)
        return 1
    try:
        path = cache_dir()
        _line("cache dir", f"{path} ({'writable' if writable(path) else 'NOT writable: set TRTCACHE_CACHE_DIR'})")
    except OSError as exc:
        _line("cache dir", f"cannot create: {exc}; set TRTCACHE_CACHE_DIR to a writable directory")
    _line("spawner", spawner())
    _line("entry points", ", ".join(entry_points.names()) or "none")
    specs = ["reference"] + ([target] if target and target != "reference" else [])
    if target is None and importlib.util.find_spec("torch_tensorrt") is not None:
        specs.append("torch_tensorrt")
    from pytest_trtcache.targets import TargetError

    status = 0
    for spec in specs:
        try:
            lines = runtimes(spec)
        except TargetError as exc:
            lines, status = [f"{spec}: does not resolve: {exc}"], 1
        for line in lines:
            _line("target", line)
    if status:
        print(f"\ntrtcache doctor: target {target!r} does not resolve (see above); a run of it is a usage error", file=sys.stderr)
    return status
