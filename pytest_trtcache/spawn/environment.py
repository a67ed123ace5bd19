"""The environment a child starts with (exec'd children and the fork server alike)."""

from __future__ import annotations

import os
import sys


def child_env() -> dict[str, str]:
    """The parent's environment with its ``sys.path``, so the child imports the same code
    (a worktree or checkout before any installed copy), then the ``PYTHONPATH`` the
    environment asks for now (it may name directories added after this process started)."""
    env = dict(os.environ)
    paths = [os.path.abspath(p or os.curdir) for p in sys.path]
    paths += [os.path.abspath(p) for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env
