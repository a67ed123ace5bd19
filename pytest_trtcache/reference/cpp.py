"""Build (once per machine) and load the reference cpp-runtime handle.

``handle_class(variant)`` returns the torchbind class
``torch.classes.trtcache_ref[_<variant>].RuntimeCacheHandle`` built from ``csrc/``.
The build goes through ``torch.utils.cpp_extension.load`` (ninja) into a per-user
cache directory::

    $TRTCACHE_CACHE_DIR  or  $XDG_CACHE_HOME/pytest-trtcache  or  ~/.cache/pytest-trtcache

in a subdirectory keyed by the sha256 of the sources, the variant, the torch version,
the python tag and the compiler's version. Builds serialize on a ``filelock`` in that
directory (xdist workers, parallel CI jobs) and happen in a temp directory that is
renamed into place when complete, so a half-built directory is never used.

``unavailable_reason(variant)`` says, without raising, why the class cannot be had
here (no compiler, unwritable cache dir, failed build); the answer is cached per
process. A cache hit prints nothing; a build logs one line to stderr.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
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


def _compile_error(exc: BaseException, lines: int = 12) -> str:
    text = str(exc)
    rows = [r for r in text.splitlines() if r.strip()]
    errors = [i for i, r in enumerate(rows) if "error" in r.lower() and "Error building extension" not in r]
    start = errors[0] if errors else 0
    return "\n".join(rows[start : start + lines]) or f"{type(exc).__name__}"


def _load_library(so: str, variant: str) -> Any:
    import torch

    torch.ops.load_library(so)
    return getattr(getattr(torch.classes, namespace(variant)), CLASS_NAME)


def _build_and_load(variant: str) -> Any:
    if variant not in VARIANTS:
        raise Unavailable(f"unknown C++ handle variant {variant!r} (known: {', '.join(repr(v) for v in VARIANTS)})")
    _cxx, compiler_version = toolchain()
    root = cache_root()
    key = build_key(variant, compiler_version)
    final = os.path.join(root, f"{variant or 'base'}-{key}")
    so = os.path.join(final, _lib_name(variant) + ".so")
    t0 = time.perf_counter()
    if os.path.isfile(os.path.join(final, DONE_MARKER)) and os.path.isfile(so):
        cls = _load_library(so, variant)
        timings[variant] = {"built": False, "seconds": time.perf_counter() - t0, "dir": final}
        return cls
    _ensure_writable(root)
    from filelock import FileLock

    built = False
    with FileLock(os.path.join(root, f"{variant or 'base'}-{key}.lock"), timeout=BUILD_LOCK_TIMEOUT_S):
        if not (os.path.isfile(os.path.join(final, DONE_MARKER)) and os.path.isfile(so)):
            if os.path.exists(final):  # never ours to use: no marker means not complete
                shutil.rmtree(final, ignore_errors=True)
            _build_into(variant, root, final)
            built = True
    if built:  # cpp_extension.load already loaded it (from the temp dir, now renamed)
        import torch

        cls = getattr(getattr(torch.classes, namespace(variant)), CLASS_NAME)
    else:  # another process built it while we waited on the lock
        cls = _load_library(so, variant)
    timings[variant] = {"built": built, "seconds": time.perf_counter() - t0, "dir": final}
    return cls


def _build_into(variant: str, root: str, final: str) -> None:
    import torch.utils.cpp_extension as cpp_extension

    tmp = tempfile.mkdtemp(dir=root, prefix=f".build-{os.path.basename(final)}-")
    print(f"pytest-trtcache: building the reference C++ runtime (one time, ~{_estimate_s(root)}s) in {final}", file=sys.stderr, flush=True)
    flags = ["-O2", f"-DTRTCACHE_NS={namespace(variant)}"]
    if VARIANTS[variant]:
        flags.append(f"-D{VARIANTS[variant]}")
    t0 = time.perf_counter()
    try:
        try:
            cpp_extension.load(
                name=_lib_name(variant),
                sources=[os.path.join(CSRC, SOURCES[0])],
                extra_cflags=flags,
                extra_include_paths=[CSRC],
                build_directory=tmp,
                verbose=False,
                is_python_module=False,
                is_standalone=False,
            )
        except Exception as exc:
            raise Unavailable(f"building the reference C++ runtime failed:\n{_compile_error(exc)}") from exc
        seconds = time.perf_counter() - t0
        with open(os.path.join(tmp, DONE_MARKER), "w") as f:
            f.write(f"{seconds:.1f}\n")
        os.replace(tmp, final)  # atomic: the final dir appears complete or not at all
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
