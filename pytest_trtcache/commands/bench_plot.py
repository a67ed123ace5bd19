"""``trtcache bench --plot``: the cost of a child and of a pair by spawner, as a PNG."""

from __future__ import annotations

from typing import Any, Optional


def plot(summary: dict[str, dict[str, Any]], path: str) -> Optional[str]:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (pip install 'pytest-trtcache[bench]')"
    names = [k for k in ("child.exec", "child.fork", "pair.exec", "pair.fork") if k in summary]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.boxplot([summary[k]["values"] for k in names])
    ax.set_xticks(range(1, len(names) + 1), [f"{k}\n(n={summary[k]['n']})" for k in names])
    ax.set_ylabel("seconds (wall)")
    ax.set_title("cost of a child and of a pair, by spawner")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return None
