"""Process groups: every child this project starts leads its own group (``start_new_session``
or the fork server's ``setsid``), so a signal to the group reaches whatever it started too.
The one place a group is signalled or probed."""

from __future__ import annotations

import os


def kill_group(pid: int, signum: int) -> None:
    """Send ``signum`` to the group ``pid`` leads; a group already gone is no error."""
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def group_alive(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True
