"""The per-user cache directory (downloaded wheels, extracted sources, builds).

``$TRTCACHE_CACHE_DIR``, else ``$XDG_CACHE_HOME/pytest-trtcache``, else
``~/.cache/pytest-trtcache``. Shared by every process of a run (xdist workers, spawned
children), so writers take a ``filelock`` next to what they write.
"""

from __future__ import annotations

import os

ENV = "TRTCACHE_CACHE_DIR"


def cache_dir(*parts: str, create: bool = True) -> str:
    """The cache directory (or a sub-directory of it), created with mode 0700 if asked."""
    root = os.environ.get(ENV, "").strip()
    if not root:
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        root = os.path.join(xdg or os.path.join(os.path.expanduser("~"), ".cache"), "pytest-trtcache")
    path = os.path.join(os.path.abspath(os.path.expanduser(root)), *parts)
    if create:
        # 0700: the cache holds code this process imports (X2: another user must not plant it).
        os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def writable(path: str) -> bool:
    return os.path.isdir(path) and os.access(path, os.W_OK | os.X_OK)
