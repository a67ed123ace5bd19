"""``wheel:<requirement>`` and ``wheel:/path/to/file.whl``: upstream's python sources from a
released wheel, run on the CPU under an import shim (see :mod:`.upstream_shim`).

A requirement is downloaded once (``pip download --no-deps --only-binary=:all:``) into
the per-user cache under a ``filelock``; the resolution is recorded there, so child
processes and xdist workers resolve the same string without the network. Only
``torch_tensorrt/runtime/_runtime_cache.py`` is extracted.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile

from filelock import FileLock

from pytest_trtcache.cachedir import cache_dir

from .base import Target, TargetError
from .upstream_shaped import UpstreamShapedPython, surface_of

SOURCES = ("torch_tensorrt/runtime/_runtime_cache.py",)
PIP_TIMEOUT_S = 300


def _record_path(requirement: str) -> str:
    digest = hashlib.sha256(requirement.encode()).hexdigest()[:16]
    return os.path.join(cache_dir("wheels"), f"resolved-{digest}.txt")


def _hint(requirement: str) -> str:
    return (
        f"could not fetch wheel for {requirement!r}. Download it elsewhere "
        f"(`pip download --no-deps --only-binary=:all: '{requirement}'`) and point at the file: "
        "--trtcache-target=wheel:/path/to/file.whl"
    )


def fetch(requirement: str) -> str:
    """The path of a wheel for ``requirement``, downloading it on first use."""
    record = _record_path(requirement)
    wheels = os.path.dirname(record)
    with FileLock(record + ".lock", timeout=PIP_TIMEOUT_S + 60):
        if os.path.isfile(record):
            with open(record, encoding="utf-8") as f:
                name = f.read().strip()
            if name and os.path.isfile(os.path.join(wheels, name)):
                return os.path.join(wheels, name)
        with tempfile.TemporaryDirectory(dir=wheels) as tmp:
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check", "-q", "-d", tmp, requirement]
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=PIP_TIMEOUT_S)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise TargetError(f"wheel:{requirement}: {_hint(requirement)} ({exc})") from None
            found = [n for n in os.listdir(tmp) if n.endswith(".whl")]
            if proc.returncode != 0 or len(found) != 1:
                detail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
                raise TargetError(f"wheel:{requirement}: {_hint(requirement)}; pip said: {' | '.join(detail) or f'exit {proc.returncode}, files {found}'}")
            os.replace(os.path.join(tmp, found[0]), os.path.join(wheels, found[0]))
        with open(record + ".tmp", "w", encoding="utf-8") as f:
            f.write(found[0])
        os.replace(record + ".tmp", record)
        return os.path.join(wheels, found[0])


def extract(wheel: str) -> str:
    """Extract :data:`SOURCES` of ``wheel`` into the cache; return the source root."""
    sha = hashlib.sha256()
    with open(wheel, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):  # hashlib.file_digest is 3.11+
            sha.update(chunk)
    digest = sha.hexdigest()[:16]
    root = cache_dir("sources", f"{os.path.basename(wheel)[:-4]}-{digest}")
    done = os.path.join(root, ".complete")
    with FileLock(root + ".lock", timeout=60):
        if os.path.isfile(done):
            return root
        try:
            with zipfile.ZipFile(wheel) as zf:
                for name in SOURCES:
                    dest = os.path.join(root, name)
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    with open(dest + ".tmp", "wb") as out:
                        out.write(zf.read(name))
                    os.replace(dest + ".tmp", dest)
        except (OSError, KeyError, zipfile.BadZipFile) as exc:
            raise TargetError(f"wheel {wheel}: cannot extract {', '.join(SOURCES)}: {exc}") from None
        open(done, "w").close()
    return root


def _require_numpy_if_used(spec: str, root: str) -> None:
    """Upstream's sources call ``Tensor.numpy()``; without numpy every such call raises
    "Numpy is not available", which would read as the target's own failures."""
    import importlib.util

    if importlib.util.find_spec("numpy") is not None:
        return
    for name in SOURCES:
        with open(os.path.join(root, name), encoding="utf-8") as f:
            if ".numpy()" in f.read():
                raise TargetError(
                    f"target {spec!r}: {name} calls Tensor.numpy() and numpy is not installed here; "
                    f"install it: {sys.executable} -m pip install 'pytest-trtcache[upstream]' (or numpy)"
                )


def version_of(wheel: str) -> str:
    parts = os.path.basename(wheel).split("-")
    return parts[1] if len(parts) >= 2 else "?"


class WheelPython(UpstreamShapedPython):
    """The python runtime of an upstream wheel (the C++ library cannot load here)."""

    def __init__(self, target: Target, source_root: str) -> None:
        from . import upstream_shim

        super().__init__(target, lambda: upstream_shim.install(source_root, target.spec))

    def _load(self):
        from . import upstream_shim

        module = self._load_module()
        return surface_of(module, wrapper_class=upstream_shim.wrapper_class(), what=self.target.spec)


def _python_target(spec: str, root: str, version: str, description: str) -> Target:
    _require_numpy_if_used(spec, root)
    target = Target(spec=spec, description=description)
    target.versions["torch-tensorrt"] = version
    target.runtimes["python"] = WheelPython(target, root)
    return target


def sources_target(spec: str, rest: str) -> Target:
    """``sources:<dir>``: the sources a wheel's extraction would give, already in ``<dir>``."""
    root = os.path.abspath(os.path.expanduser(rest))
    missing = [name for name in SOURCES if not os.path.isfile(os.path.join(root, name))]
    if missing:
        raise TargetError(f"bad target {spec!r}: {root} has no {', '.join(missing)} (lay the sources out as in the wheel)")
    # the absolute form: children resolve the spec again, from other directories
    return _python_target(f"sources:{root}", root, "sources", f"upstream-shaped python sources in {root} (import shim, stand-in engine wrapper)")


def wheel_target(spec: str, rest: str) -> Target:
    if rest.endswith(".whl"):
        wheel = os.path.abspath(os.path.expanduser(rest))
        if not os.path.isfile(wheel):
            raise TargetError(f"bad target {spec!r}: no such wheel file {wheel}")
        spec = f"wheel:{wheel}"  # the absolute form: children resolve the spec again, from other directories
    else:
        wheel = fetch(rest)
    root = extract(wheel)
    version = version_of(wheel)
    return _python_target(spec, root, version, f"torch-tensorrt {version} python sources from {os.path.basename(wheel)} (import shim, stand-in engine wrapper)")
