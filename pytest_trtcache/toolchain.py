"""The C++ toolchain the reference cpp runtime builds with: the compiler and ninja.

Imports no torch, so ``trtcache doctor`` can probe it on a machine that has none yet;
``reference/cpp.py`` builds with what these find.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from typing import Optional


class Unavailable(Exception):
    """The C++ runtime cannot be built or loaded here; the message says why."""


def compiler() -> tuple[str, str]:
    """(CXX as torch will run it, its ``--version`` first line); raise Unavailable if absent."""
    cxx = os.environ.get("CXX", "c++")
    argv = shlex.split(cxx) or ["c++"]
    if shutil.which(argv[0]) is None:
        source = "$CXX" if "CXX" in os.environ else "the default C++ compiler"
        raise Unavailable(f"no C++ compiler found: {source} {argv[0]!r} is not on PATH (install g++/clang++ or set CXX)")
    try:
        out = subprocess.run([*argv, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        raise Unavailable(f"C++ compiler {cxx!r} does not run: {type(exc).__name__}: {exc}") from exc
    if out.returncode != 0:
        raise Unavailable(f"C++ compiler {cxx!r} failed '--version' (exit {out.returncode}): {(out.stderr or out.stdout).strip()[:200]}")
    return cxx, (out.stdout.strip().splitlines() or [""])[0]


def ninja_path() -> Optional[str]:
    """``ninja`` on PATH, else the one pip installed beside this interpreter (a venv run
    as ``.venv/bin/python`` without activating it has its ninja off PATH)."""
    found = shutil.which("ninja")
    if found is None:
        found = shutil.which("ninja", path=os.path.dirname(sys.executable))
    return found


def toolchain() -> tuple[str, str]:
    """:func:`compiler`, with ninja put on PATH for torch.utils.cpp_extension; raise Unavailable."""
    found = compiler()
    ninja = ninja_path()
    if ninja is None:
        raise Unavailable(f"ninja not found: torch.utils.cpp_extension needs it ({sys.executable} -m pip install ninja)")
    if shutil.which("ninja") is None:  # installed beside this interpreter, not on PATH
        os.environ["PATH"] = os.path.dirname(ninja) + os.pathsep + os.environ.get("PATH", "")
    return found
