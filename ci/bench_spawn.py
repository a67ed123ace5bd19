"""Kept for old invocations: the benchmarks moved to ``trtcache bench`` (pytest_trtcache/commands/bench.py).

    python ci/bench_spawn.py [-n 10] [--suite] [--json PATH] [--plot PATH]   ==   trtcache bench ...
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pytest_trtcache.commands.bench import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
