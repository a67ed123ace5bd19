"""The warm fork server: ``python -m pytest_trtcache.spawn.server --preload SPEC ...``.

Started once per pytest process (per xdist worker) by exec. It imports torch (and the
other libraries of :data:`WARM_LIBRARIES`), calls ``gc.freeze()``, and only then imports
the runtimes of the given targets and this package's child code. So a forked child
inherits a warm heap in two parts:

* the frozen part, torch and the libraries: the child's collections never walk it, and
  it never has to (nothing the target or a step makes lives in a cycle through it);
* the young part, the target's modules, ours, and everything the step creates: collected
  at the child's shutdown exactly as in an exec'd interpreter, module-teardown cycles
  included (without that, PR #4362's shutdown bug does not reproduce under fork).

A child therefore finalizes without unfreezing: about half the cost of walking the whole
warm heap (BENCHMARKS.md), with the same fidelity. Its ``exit()`` then skips the C++
static destructors of the warm libraries (:mod:`.warm_exit`), never a target's, unless
another thread still runs. It serves JSON lines on stdin/stdout:

    -> {"entry": "module:function", "arg": "...", "stdout": PATH, "stderr": PATH}
    <- {"pid": 1234}                      (at once; the child runs in its own process group)
    <- {"pid": 1234, "status": 0}         (when that child has exited and was reaped)
    <- {"unsafe": "why"}                  (instead of forking, when fork became unsafe)

Children may overlap (concurrent savers): exits are reported as they happen, in any
order. A forked child runs ``entry(arg)`` and then raises ``SystemExit`` out of
:func:`main`, so it shuts down like any interpreter: atexit hooks, module teardown and
``__del__`` run (no ``os._exit``). On EOF the server kills the children still running
(their pytest process is gone) and exits, so it never outlives its pytest process.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import select
import signal
import sys
import time
from typing import IO, Any

from pytest_trtcache.spawn import warm_exit
from pytest_trtcache.spawn.groups import kill_group

def _send(out: IO[str], message: dict[str, Any]) -> None:
    out.write(json.dumps(message) + "\n")
    out.flush()


# Imported before gc.freeze(): big, and never the code under test. numpy only where it is
# installed (upstream's sources call Tensor.numpy()).
WARM_LIBRARIES = ("torch", "filelock", "numpy")


def _import_warm_libraries(extra: tuple[str, ...] = ()) -> None:
    for name in WARM_LIBRARIES + extra:
        try:
            importlib.import_module(name)
        except ImportError:
            if name == "torch":
                raise


def _preload(specs: list[str], imports: list[str]) -> dict[str, str]:
    """Import (after the freeze) what every child needs; return the runtimes that cannot run."""
    from pytest_trtcache.spawn import child, ops  # noqa: F401
    from pytest_trtcache.targets import resolve

    skipped: dict[str, str] = {}
    for spec in specs:
        for name, runtime in resolve(spec).runtimes.items():
            reason = runtime.unavailable_reason()
            if reason:
                skipped[f"{spec}:{name}"] = reason
                continue
            try:
                runtime.api
            except Exception as exc:  # the child will report it with its own traceback
                skipped[f"{spec}:{name}"] = f"{type(exc).__name__}: {exc}"
    for module in imports:
        importlib.import_module(module)
    return skipped


def _become_child(request: dict[str, Any], inherited: list[int]) -> None:
    """In the forked child: detach from the server's pipes, run the entry, finalize."""
    forked = time.time()
    os.setpgid(0, 0)
    signal.set_wakeup_fd(-1)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    for fd in inherited:
        os.close(fd)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(target, fd)
        os.close(target)
    from pytest_trtcache.spawn import child

    os.environ[child.FORKED_AT] = repr(forked)
    sys.argv = ["pytest_trtcache.spawn.child", request["entry"], request["arg"]]
    code = child.call(request["entry"], request["arg"])
    # No gc.unfreeze(): the frozen part holds only torch and the warm libraries, so every
    # cycle that can keep a user's engine alive (a module dict <-> its functions, once
    # sys.modules lets go) is young and collected here as in an exec'd interpreter.
    warm_exit.before_exit()
    raise SystemExit(code)  # unwinds out of main(): a real interpreter shutdown


class _Server:
    """The request loop: fork on request, report each exit when SIGCHLD says so."""

    def __init__(self, requests: int, replies: IO[str]) -> None:
        self.requests, self.replies = requests, replies
        self.buffer = b""
        self.running: set[int] = set()
        # SIGCHLD wakes select() through a pipe (the handler itself does nothing).
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.set_wakeup_fd(self.wake_w)

    def serve(self) -> None:
        from pytest_trtcache.spawn import safety

        while True:
            ready, _, _ = select.select([self.requests, self.wake_r], [], [])
            if self.wake_r in ready:
                os.read(self.wake_r, 4096)
            self.reap()
            if self.requests in ready:
                chunk = os.read(self.requests, 65536)
                if not chunk:
                    return self.stop()
                self.buffer += chunk
                while b"\n" in self.buffer:
                    line, _, self.buffer = self.buffer.partition(b"\n")
                    reason = safety.fork_unsafe_reason()
                    if reason:
                        _send(self.replies, {"unsafe": reason})
                    else:
                        self.fork(json.loads(line))

    def fork(self, request: dict[str, Any]) -> None:
        pid = os.fork()
        if pid == 0:
            _become_child(request, [self.requests, self.replies.fileno(), self.wake_r, self.wake_w])
        try:
            os.setpgid(pid, pid)  # also here, so the client can kill the group at once
        except OSError:
            pass  # the child already did it, or already exited
        self.running.add(pid)
        _send(self.replies, {"pid": pid})

    def reap(self) -> None:
        while self.running:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.running.discard(pid)
            _send(self.replies, {"pid": pid, "status": os.waitstatus_to_exitcode(status)})

    def stop(self) -> None:
        for pid in self.running:
            kill_group(pid, signal.SIGKILL)
        for pid in list(self.running):
            os.waitpid(pid, 0)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m pytest_trtcache.spawn.server")
    parser.add_argument("--preload", action="append", default=[], metavar="TARGET")
    parser.add_argument("--import", dest="imports", action="append", default=[], metavar="MODULE")
    parser.add_argument("--warm", action="append", default=[], metavar="MODULE", help="a library imported before the freeze, like torch")
    args = parser.parse_args(argv)
    # The protocol gets private fds; fd 1 joins stderr so prints by preloaded code
    # cannot corrupt a reply.
    requests = os.dup(0)
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    from pytest_trtcache.spawn import safety

    _import_warm_libraries(tuple(args.warm))
    gc.collect()
    gc.freeze()  # torch and the libraries only: see the module docstring
    warm_exit.skip_destructors_registered_so_far()  # before any target loads; where it cannot, exits stay whole
    skipped = _preload(args.preload, args.imports)
    _send(replies, {"ready": True, "pid": os.getpid(), "unsafe": safety.fork_unsafe_reason(), "skipped": skipped})
    _Server(requests, replies).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
