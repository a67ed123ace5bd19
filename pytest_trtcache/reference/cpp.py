"""Build (once per machine) and load the reference cpp-runtime handle.

``handle_class(variant)`` returns the torchbind class
``torch.classes.trtcache_ref[_<variant>].RuntimeCacheHandle`` built from ``csrc/``.
The build goes through ``torch.utils.cpp_extension.load`` (ninja) into a per-user
cache directory::

    $TRTCACHE_CACHE_DIR  or  $XDG_CACHE_HOME/pytest-trtcache  or  ~/.cache/pytest-trtcache

in a subdirectory keyed by the sha256 of the sources, the variant, the torch version,
the python tag and the compiler's version. Builds serialize on a ``filelock`` in that
directory (xdist workers, parallel CI jobs) and run in a child process, in a temp
directory: the child builds, then loads the library, and only then is the directory
marked with the library's sha256 and renamed into place. A build whose library no
longer matches its mark (truncated, replaced) is built anew, once; a second failure is
the runtime's unavailable reason. Temp dirs of killed builds are removed.

``unavailable_reason(variant)`` says, without raising, why the class cannot be had
here (no compiler, unwritable cache dir, failed build); the answer is cached per
process. A cache hit prints nothing; a build logs one line to stderr.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Optional

from pytest_trtcache.toolchain import Unavailable, toolchain

CSRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "csrc")
SOURCES = ("runtime_cache_handle.cpp", "kernel_cache.h")
BASE_NAMESPACE = "trtcache_ref"
CLASS_NAME = "RuntimeCacheHandle"
BUILD_LOCK_TIMEOUT_S = 900.0
DONE_MARKER = "BUILD_OK"

#: variant -> the preprocessor macro that puts its bug back ("" is the fixed handle)
VARIANTS: dict[str, Optional[str]] = {
    "": None,
    "serialize_empty_pending": "TRTCACHE_MUTANT_SERIALIZE_EMPTY_PENDING",
    "pickle_path_only": "TRTCACHE_MUTANT_PICKLE_PATH_ONLY",
    "deserialize_drops_pending": "TRTCACHE_MUTANT_DESERIALIZE_DROPS_PENDING",
}

_lock = threading.Lock()
_classes: dict[str, Any] = {}
_reasons: dict[str, Optional[str]] = {}
#: variant -> {"built": bool, "seconds": float, "dir": str} of this process's load
timings: dict[str, dict[str, Any]] = {}


def namespace(variant: str = "") -> str:
    return f"{BASE_NAMESPACE}_{variant}" if variant else BASE_NAMESPACE


def cache_root() -> str:
    from pytest_trtcache.cachedir import cache_dir

    return cache_dir(create=False)  # created (or found unwritable) by _ensure_writable


def build_key(variant: str, compiler_version: str) -> str:
    import torch

    h = hashlib.sha256()
    for name in SOURCES:
        with open(os.path.join(CSRC, name), "rb") as f:
            h.update(name.encode() + b"\0" + f.read() + b"\0")
    for part in (variant, torch.__version__, sys.implementation.cache_tag, compiler_version):
        h.update(part.encode() + b"\0")
    return h.hexdigest()[:20]


def _lib_name(variant: str) -> str:
    return namespace(variant)


def _ensure_writable(root: str) -> None:
    hint = "set TRTCACHE_CACHE_DIR to a writable directory"
    try:
        os.makedirs(root, exist_ok=True)
    except OSError as exc:
        raise Unavailable(f"cannot create the C++ build cache dir {root!r}: {exc.strerror or exc}; {hint}") from exc
    try:
        fd, probe = tempfile.mkstemp(dir=root, prefix=".probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise Unavailable(f"the C++ build cache dir {root!r} is not writable: {exc.strerror or exc}; {hint}") from exc


def _estimate_s(root: str) -> int:
    try:
        with open(os.path.join(root, "last_build_seconds")) as f:
            return max(1, round(float(f.read().strip())))
    except (OSError, ValueError):
        return 30


def _compile_error(text: str, lines: int = 12) -> str:
    rows = [r for r in text.splitlines() if r.strip()]
    errors = [i for i, r in enumerate(rows) if "error" in r.lower() and "Error building extension" not in r]
    start = errors[0] if errors else 0
    return "\n".join(rows[start : start + lines]) or "(no output)"


def _load_library(so: str, variant: str) -> Any:
    import torch

    torch.ops.load_library(so)
    return getattr(getattr(torch.classes, namespace(variant)), CLASS_NAME)


def _sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _intact(final: str, so: str) -> bool:
    """A build is used only as it was when its child loaded it: the marker names the
    library's digest, so a truncated or replaced ``.so`` (which could kill this process
    with a bus error on load) is rebuilt instead."""
    try:
        with open(os.path.join(final, DONE_MARKER), encoding="utf-8") as f:
            marker = json.load(f)
        return isinstance(marker, dict) and marker.get("sha256") == _sha256(so)
    except (OSError, ValueError):
        return False


def _build_and_load(variant: str) -> Any:
    if variant not in VARIANTS:
        raise Unavailable(f"unknown C++ handle variant {variant!r} (known: {', '.join(repr(v) for v in VARIANTS)})")
    _cxx, compiler_version = toolchain()
    root = cache_root()
    key = build_key(variant, compiler_version)
    final = os.path.join(root, f"{variant or 'base'}-{key}")
    so = os.path.join(final, _lib_name(variant) + ".so")
    t0 = time.perf_counter()
    built = False
    _remove_stale_builds(root)
    if not _intact(final, so):
        _ensure_writable(root)
        from filelock import FileLock

        with FileLock(os.path.join(root, f"{variant or 'base'}-{key}.lock"), timeout=BUILD_LOCK_TIMEOUT_S):
            if not _intact(final, so):  # not built yet, or broken: built anew, once
                toolchain(compiles=True)
                _build_into(variant, root, final)
                built = True
    cls = _load_library(so, variant)
    timings[variant] = {"built": built, "seconds": time.perf_counter() - t0, "dir": final}
    return cls


def _remove_stale_builds(root: str) -> None:
    """Remove temp build dirs that no build holds: a build runs under its key's lock, so
    a ``.build-*`` dir whose lock can be taken was left by a killed build."""
    try:
        stale = [name for name in os.listdir(root) if name.startswith(".build-")]
    except OSError:
        return  # no cache dir yet, or not ours to list
    from filelock import FileLock, Timeout

    for name in stale:
        final_name = name[len(".build-"):].rsplit("-", 1)[0]
        try:
            with FileLock(os.path.join(root, final_name + ".lock"), timeout=0):
                shutil.rmtree(os.path.join(root, name), ignore_errors=True)
        except (Timeout, OSError):
            pass  # that build is running now, or the cache is read-only to us


# Runs in a child: a build or a library that crashes its process cannot take pytest down.
_BUILD_CHILD = """
import json, sys
import torch, torch.utils.cpp_extension as cpp_extension
a = json.loads(sys.argv[1])
try:
    cpp_extension.load(name=a["name"], sources=a["sources"], extra_cflags=a["flags"], extra_include_paths=a["include"],
                       build_directory=a["dir"], verbose=False, is_python_module=False, is_standalone=False)
except Exception as exc:  # the compiler's own words, not a traceback through torch
    sys.exit(str(exc))
getattr(getattr(torch.classes, a["namespace"]), a["cls"])  # the library loads and registers its class
"""


def _build_into(variant: str, root: str, final: str) -> None:
    """Build in a temp dir by a child that then loads the library; mark it with the
    library's digest and rename it into place (atomic: complete or absent)."""
    tmp = tempfile.mkdtemp(dir=root, prefix=f".build-{os.path.basename(final)}-")
    print(f"pytest-trtcache: building the reference C++ runtime (one time, ~{_estimate_s(root)}s) in {final}", file=sys.stderr, flush=True)
    flags = ["-O2", f"-DTRTCACHE_NS={namespace(variant)}"]
    if VARIANTS[variant]:
        flags.append(f"-D{VARIANTS[variant]}")
    args = dict(name=_lib_name(variant), sources=[os.path.join(CSRC, SOURCES[0])], flags=flags, include=[CSRC], dir=tmp,
                namespace=namespace(variant), cls=CLASS_NAME)
    t0 = time.perf_counter()
    try:
        try:
            child = subprocess.run([sys.executable, "-c", _BUILD_CHILD, json.dumps(args)], capture_output=True, text=True,
                                   timeout=BUILD_LOCK_TIMEOUT_S, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            raise Unavailable(f"building the reference C++ runtime took over {BUILD_LOCK_TIMEOUT_S:.0f} s") from exc
        so = os.path.join(tmp, _lib_name(variant) + ".so")
        if child.returncode != 0 or not os.path.isfile(so):
            why = f"exit {child.returncode}" if child.returncode >= 0 else f"killed by signal {-child.returncode}"
            raise Unavailable(f"building the reference C++ runtime failed ({why}; a child builds it, then loads it):\n{_compile_error(child.stderr or child.stdout)}")
        seconds = time.perf_counter() - t0
        with open(os.path.join(tmp, DONE_MARKER), "w", encoding="utf-8") as f:
            json.dump({"sha256": _sha256(so), "seconds": round(seconds, 1)}, f)
        if os.path.exists(final):  # a broken earlier build: replaced whole
            shutil.rmtree(final)
        os.replace(tmp, final)
        tmp = ""
        try:
            with open(os.path.join(root, "last_build_seconds"), "w") as f:
                f.write(f"{seconds:.1f}\n")
        except OSError:
            pass
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def unavailable_reason(variant: str = "") -> Optional[str]:
    """``None`` when ``handle_class(variant)`` works here, else why not. Never raises."""
    with _lock:
        if variant not in _reasons:
            try:
                _classes[variant] = _build_and_load(variant)
                _reasons[variant] = None
            except Unavailable as exc:
                _reasons[variant] = str(exc)
            except Exception as exc:  # anything else still gets a reason, never a raise
                _reasons[variant] = f"the reference C++ runtime could not be loaded: {type(exc).__name__}: {exc}"
        return _reasons[variant]


def handle_class(variant: str = "") -> Any:
    """The torchbind handle class of ``variant``; builds on first use (see module doc)."""
    cls = _classes.get(variant)
    if cls is not None:
        return cls
    reason = unavailable_reason(variant)
    if reason:
        raise RuntimeError(f"reference C++ runtime unavailable: {reason}")
    return _classes[variant]


def materialize(handle: Any) -> None:
    """``handle.materialize()``, logging what the C++ side discarded (S6), as the python
    handle does: the C++ side returns the message instead of warning from inside a
    torchbind call."""
    discarded = handle.materialize()
    if discarded:
        logging.getLogger("pytest_trtcache.reference").warning("%s", discarded)
