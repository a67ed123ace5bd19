"""Processes of one run, found by an environment marker every descendant inherits
(children get the parent's environment), so a test needs no pid from the code under test."""

from __future__ import annotations

import os
import uuid

MARKER = "TRTCACHE_TEST_RUN"


def new_marker() -> str:
    return uuid.uuid4().hex


def processes_marked(marker: str) -> list[int]:
    """Live (non-zombie) processes whose environment holds ``MARKER=marker``."""
    needle = f"{MARKER}={marker}".encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as f:
                env = f.read().split(b"\0")
            with open(f"/proc/{name}/stat") as f:
                zombie = f.read().rsplit(")", 1)[1].split()[0] == "Z"
        except OSError:  # gone, or not ours to read
            continue
        if needle in env and not zombie:
            found.append(int(name))
    return found
