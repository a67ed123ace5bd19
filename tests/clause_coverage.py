"""Which conformance tests check which clause: collect a suite and read its markers.

Used by ``tests/test_spec.py`` (every clause has a test, every marker a clause) and
later by ``trtcache doctor``. Collection runs in a child pytest so the caller's
session (its target, its plugins) is untouched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional

import pytest

# The child imports this copy of the package, whatever else is installed.
PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)


class MarkerRecorder:
    """A pytest plugin object: after collection, clause id -> node ids (and bad markers)."""

    def __init__(self) -> None:
        self.by_clause: dict[str, list[str]] = {}
        self.unmarked: list[str] = []

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        # tryfirst: record before the plugin rejects unknown ids with a UsageError.
        for item in items:
            marker = item.get_closest_marker("clause")
            if marker is None or not marker.args:
                self.unmarked.append(item.nodeid)
            else:
                self.by_clause.setdefault(str(marker.args[0]), []).append(item.nodeid)


def _child_main(out: str, args: list[str]) -> int:
    recorder = MarkerRecorder()
    code = pytest.main(args, plugins=[recorder])
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"by_clause": recorder.by_clause, "unmarked": recorder.unmarked, "exit": int(code)}, f)
    return int(code)


def clause_tests(suite: Path, extra_args: tuple[str, ...] = (), env: Optional[dict[str, str]] = None) -> dict[str, list[str]]:
    """Collect ``suite`` (``--collect-only -q``) in a child; map clause id -> node ids.

    Unknown clause ids are kept (the plugin's usage error happens after recording), so a
    caller can report them by name.
    """
    suite = Path(suite).resolve()
    with tempfile.TemporaryDirectory(prefix="trtcache-coverage-") as tmp:
        out = os.path.join(tmp, "markers.json")
        args = ["-p", "trtcache", str(suite), "--collect-only", "-q", "-p", "no:cacheprovider", f"--rootdir={suite.parent}", *extra_args]
        code = f"import sys, tests.clause_coverage as c; sys.exit(c._child_main({out!r}, {args!r}))"
        child_env = dict(os.environ if env is None else env)
        child_env["PYTHONPATH"] = os.pathsep.join(p for p in (PACKAGE_ROOT, str(suite.parent), child_env.get("PYTHONPATH", "")) if p)
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(suite.parent), env=child_env)
        if not os.path.exists(out):
            raise RuntimeError(f"collecting {suite} failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
        with open(out, encoding="utf-8") as f:
            data = json.load(f)
    return data["by_clause"]
