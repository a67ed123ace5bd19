"""Which runtime the reference facade picks in this process.

Upstream decides with ``torch_tensorrt.ENABLED_FEATURES.torch_tensorrt_runtime`` (is
the C++ library loaded?). The reference decides with this flag instead, so a process
(or one in-process test) can choose its runtime without touching any installed file.
A child process reads ``TRTCACHE_REFERENCE_RUNTIME``.
"""

from __future__ import annotations

import contextlib
import os
from typing import Iterator

RUNTIMES = ("python", "cpp")
ENV = "TRTCACHE_REFERENCE_RUNTIME"


class _Features:
    def __init__(self) -> None:
        self.runtime = os.environ.get(ENV, "python")
        if self.runtime not in RUNTIMES:
            raise ValueError(f"{ENV}={self.runtime!r}: expected one of {', '.join(RUNTIMES)}")

    @property
    def torch_tensorrt_runtime(self) -> bool:
        """Upstream's name: True when the cpp runtime is the active one."""
        return self.runtime == "cpp"


ENABLED_FEATURES = _Features()


@contextlib.contextmanager
def use_runtime(runtime: str) -> Iterator[None]:
    if runtime not in RUNTIMES:
        raise ValueError(f"unknown reference runtime {runtime!r}: expected one of {', '.join(RUNTIMES)}")
    previous, ENABLED_FEATURES.runtime = ENABLED_FEATURES.runtime, runtime
    try:
        yield
    finally:
        ENABLED_FEATURES.runtime = previous
