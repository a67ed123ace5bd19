"""The environment every child starts with: exec'd step children, the fork server, and
the suite's own child pytest (``trtcache run``, ``verdicts``, ``selfcheck``, ``bench``)."""

from __future__ import annotations

import os
import sys
from typing import Mapping, Optional, Sequence


def child_env(base: Optional[Mapping[str, str]] = None, first: Sequence[str] = ()) -> dict[str, str]:
    """``base`` (default: this process's environment) with ``PYTHONPATH`` set so that the
    child imports the same code as this process, whatever its working directory: the
    ``first`` directories, then this process's ``sys.path`` (a worktree or checkout before
    any installed copy), then the ``PYTHONPATH`` of ``base`` (it may name directories
    added after this process started)."""
    env = dict(os.environ if base is None else base)
    paths = [os.path.abspath(p) for p in first]
    paths += [os.path.abspath(p or os.curdir) for p in sys.path]
    paths += [os.path.abspath(p) for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env
