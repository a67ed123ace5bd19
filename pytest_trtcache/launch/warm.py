"""Child pytest runs forked from a warm interpreter, for a command that starts many suite
runs in a row (``trtcache selfcheck``: one per mutant).

A cold child pytest spends about 5 CPU-seconds before its first test: importing torch,
pytest and hypothesis and loading the plugin. :class:`WarmSuites` starts the fork server
(:mod:`pytest_trtcache.spawn.server`) once with those libraries imported and frozen,
and forks each child pytest from it; :func:`run_pytest` is the child's entry. The child
is its own process and session as a cold one is: its own environment, working directory
and ``sys.argv``, its own process group, a real interpreter shutdown. What it inherits
is imported code of libraries only; this package's modules and every target are
imported in the child, after the fork, as in a cold interpreter.

``trtcache run`` never forks its suite (a user's one run pays the start once). Where
fork is unsafe (threads in the server, no ``os.fork``), the launcher says why and the
caller starts cold children instead; ``tests/test_zoo.py`` checks that both ways reach
the same verdicts.
"""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

from pytest_trtcache.spawn.fork_client import ForkServer, ForkUnsafe, ServerError

#: imported and frozen in the server, before any fork: libraries, never the code under test
WARM_MODULES = ("pytest", "_pytest.pytester", "hypothesis", "hypothesis.stateful", "torch.utils.cpp_extension")

#: the entry a forked child runs
ENTRY = "pytest_trtcache.launch.warm:run_pytest"


@dataclass(frozen=True)
class PytestCall:
    """What a child pytest gets: its arguments, working directory and whole environment."""

    argv: tuple[str, ...]
    cwd: str
    env: tuple[tuple[str, str], ...]


def run_pytest(call: PytestCall) -> int:
    """In the forked child: become the process ``env python -m pytest ARGV`` run in ``cwd``
    would be, then run pytest; its exit status is the child's."""
    os.chdir(call.cwd)
    env = dict(call.env)
    os.environ.clear()
    os.environ.update(env)
    # PYTHONPATH is read at interpreter start: a forked child puts it in front by hand.
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    sys.path[:0] = [p for p in paths if p not in sys.path[: len(paths)]]
    sys.argv = [os.path.join(os.path.dirname(sys.executable), "pytest"), *call.argv]
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C forwarded: pytest's KeyboardInterrupt, as cold
    import pytest

    return int(pytest.main(list(call.argv)))


class WarmSuites:
    """One warm server; :meth:`run` forks a child pytest from it and waits for it. Threads
    (selfcheck's pool) may share one."""

    def __init__(self, workdir: str, env: Mapping[str, str]) -> None:
        self.workdir = workdir
        self.server = ForkServer([], os.path.join(workdir, "warm-server.log"), warm=WARM_MODULES, env=dict(env))
        self.unsafe: Optional[str] = None

    def start(self) -> Optional[str]:
        """Start the server; return why its children must be cold instead (``None``: they fork)."""
        if not hasattr(os, "fork"):
            self.unsafe = "this platform has no os.fork"
            return self.unsafe
        try:
            self.unsafe = self.server.start()
        except ServerError as exc:
            self.unsafe = str(exc)
        except BaseException:  # a forwarded signal while it starts: it runs in its own session, so stop it here
            self.server.close()
            raise
        if self.unsafe:
            self.server.close()
        return self.unsafe

    def run(self, argv: Sequence[str], cwd: str, env: Mapping[str, str], output: str, timeout: Optional[float]) -> "WarmChild":
        """Fork a child pytest with stdout and stderr in ``output`` (one file, as a cold
        child's two pipes read together); return it, running."""
        from pytest_trtcache.spawn import payload

        arg = payload.dumps(PytestCall(tuple(argv), cwd, tuple(sorted(env.items()))))
        pid = self.server.fork(ENTRY, arg, output, output + ".stderr")
        return WarmChild(self, pid, output, timeout)

    def close(self) -> None:
        self.server.close()


class WarmChild:
    """A forked child pytest: a ``pid`` for signal forwarding, :meth:`wait` for its end."""

    def __init__(self, suites: WarmSuites, pid: int, output: str, timeout: Optional[float]) -> None:
        self.suites, self.pid, self.output, self.timeout = suites, pid, output, timeout

    def wait(self) -> tuple[int, str, bool]:
        """(exit status, its stdout then stderr, killed past the timeout)."""
        status, timed_out = self.suites.server.wait(self.pid, self.timeout)
        text = ""
        for path in (self.output, self.output + ".stderr"):
            try:
                with open(path, encoding="utf-8", errors="replace") as f:
                    text += f.read()
            except FileNotFoundError:
                pass
        return status, text, timed_out


__all__ = ["ForkUnsafe", "PytestCall", "WarmChild", "WarmSuites", "run_pytest"]
