"""Files as the rules see them: read back, temp files left behind, the machine's directory."""

from __future__ import annotations

import os
import tempfile
from typing import Optional


def _read(path: str) -> Optional[bytes]:
    try:
        with open(path, "rb") as f:
            return f.read()
    except (FileNotFoundError, NotADirectoryError):
        return None


def _temp_files(top: str) -> list[str]:
    return sorted(os.path.relpath(os.path.join(d, n), top) for d, _, names in os.walk(top) for n in names if n.endswith(".tmp"))


def _default_tmp_dir() -> str:
    return tempfile.mkdtemp(prefix="trtcache-lifecycle-")
