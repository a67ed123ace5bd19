"""When forking the warm server is unsafe.

A fork copies only the calling thread: a lock held by another thread stays locked
forever in the child, and an initialized CUDA context cannot be used after fork.
Either makes a forked child's behaviour differ from a fresh interpreter's, so the
spawner falls back to exec. The probes are module attributes so a test can
monkeypatch them inside the server process.
"""

from __future__ import annotations

import sys
import threading
from typing import Optional


def cuda_initialized() -> bool:
    torch = sys.modules.get("torch")  # never import torch just to ask
    if torch is None:
        return False
    try:
        return bool(torch.cuda.is_initialized())
    except Exception:
        return False


def other_threads() -> list[str]:
    me = threading.current_thread()
    return [t.name for t in threading.enumerate() if t is not me]


def fork_unsafe_reason() -> Optional[str]:
    """``None`` when forking this process keeps a child's behaviour faithful, else why not."""
    if cuda_initialized():
        return "CUDA is initialized in the fork server (torch.cuda.is_initialized())"
    threads = other_threads()
    if threads:
        return f"other threads run in the fork server: {', '.join(threads)}"
    return None
