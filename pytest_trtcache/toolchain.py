"""The C++ toolchain the reference cpp runtime builds with: the compiler and ninja.

Imports no torch, so ``trtcache doctor`` can probe it on a machine that has none yet;
``reference/cpp.py`` builds with what these find.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from typing import Optional


class Unavailable(Exception):
    """The C++ runtime cannot be built or loaded here; the message says why."""


def compiler(compiles: bool = False) -> tuple[str, str]:
    """(CXX as torch will run it, its ``--version`` first line); raise Unavailable if it is
    absent or (with ``compiles``: doctor, and before a build) cannot compile a one-line file.

    ``torch.utils.cpp_extension`` runs ``$CXX`` as one program, without splitting it into
    words, so this probe does too: ``CXX="env c++"`` is refused here rather than found
    fine and failing in the build.
    """
    cxx = os.environ.get("CXX", "c++")
    source = "$CXX" if "CXX" in os.environ else "the default C++ compiler"
    if shutil.which(cxx) is None:
        hint = " (torch.utils.cpp_extension runs $CXX as one program, without arguments: set CXX to the compiler's path)" if " " in cxx.strip() else " (install g++/clang++ or set CXX)"
        raise Unavailable(f"no C++ compiler found: {source} {cxx!r} is not a program on PATH{hint}")
    try:
        out = subprocess.run([cxx, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        raise Unavailable(f"C++ compiler {cxx!r} does not run: {type(exc).__name__}: {exc}") from exc
    if out.returncode != 0:
        raise Unavailable(f"C++ compiler {cxx!r} failed '--version' (exit {out.returncode}): {(out.stderr or out.stdout).strip()[:200]}")
    if compiles:
        _compiles(cxx)
    return cxx, (out.stdout.strip().splitlines() or [""])[0]


def _compiles(cxx: str) -> None:
    """Compile a one-line C++17 file with ``cxx``; raise Unavailable with its error if it cannot."""
    with tempfile.TemporaryDirectory(prefix="trtcache-cxx-probe-") as tmp:
        src, obj = os.path.join(tmp, "probe.cpp"), os.path.join(tmp, "probe.o")
        with open(src, "w", encoding="utf-8") as f:
            f.write("#include <string>\nint probe() { return static_cast<int>(std::string(\"ok\").size()); }\n")
        try:
            out = subprocess.run([cxx, "-std=c++17", "-c", src, "-o", obj], capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.SubprocessError) as exc:
            raise Unavailable(f"C++ compiler {cxx!r} cannot compile a one-line file: {type(exc).__name__}: {exc}") from exc
        if out.returncode != 0 or not os.path.isfile(obj):
            raise Unavailable(f"C++ compiler {cxx!r} cannot compile a one-line C++17 file (exit {out.returncode}): {(out.stderr or out.stdout).strip()[:300]}")


def ninja_path() -> Optional[str]:
    """``ninja`` on PATH, else the one pip installed beside this interpreter (a venv run
    as ``.venv/bin/python`` without activating it has its ninja off PATH)."""
    found = shutil.which("ninja")
    if found is None:
        found = shutil.which("ninja", path=os.path.dirname(sys.executable))
    return found


def toolchain(compiles: bool = False) -> tuple[str, str]:
    """:func:`compiler`, with ninja put on PATH for torch.utils.cpp_extension; raise Unavailable."""
    found = compiler(compiles)
    ninja = ninja_path()
    if ninja is None:
        raise Unavailable(f"ninja not found: torch.utils.cpp_extension needs it ({sys.executable} -m pip install ninja)")
    if shutil.which("ninja") is None:  # installed beside this interpreter, not on PATH
        os.environ["PATH"] = os.path.dirname(ninja) + os.pathsep + os.environ.get("PATH", "")
    return found
