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
warm heap (BENCHMARKS.md), with the same fidelity. It serves JSON lines on stdin/stdout:

    -> {"step": "/path/to/step.json"}
    <- {"pid": 1234}                      (the child runs in its own process group)
    <- {"pid": 1234, "status": 0}         (when the child has exited and was reaped)
    <- {"unsafe": "why"}                  (instead of forking, when fork became unsafe)

The forked child runs :func:`pytest_trtcache.spawn.child.run` and then raises
``SystemExit`` out of :func:`main`, so it shuts down like any interpreter: atexit
hooks, module teardown and ``__del__`` run (no ``os._exit``). The server exits on EOF,
so it never outlives its pytest process.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import signal
import sys
import time
from typing import IO, Any


def _send(out: IO[str], message: dict[str, Any]) -> None:
    out.write(json.dumps(message) + "\n")
    out.flush()


# Imported before gc.freeze(): big, and never the code under test. numpy only where it is
# installed (upstream's sources call Tensor.numpy()).
WARM_LIBRARIES = ("torch", "filelock", "numpy")


def _import_warm_libraries() -> None:
    for name in WARM_LIBRARIES:
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


def _become_child(step_path: str, requests: IO[str], replies: IO[str]) -> None:
    """In the forked child: detach from the server's pipes, run the step, finalize."""
    forked = time.time()
    os.setpgid(0, 0)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    requests.close()
    replies.close()
    with open(step_path, encoding="utf-8") as f:
        step = json.load(f)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    for fd, path in ((1, step["stdout"]), (2, step["stderr"])):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(target, fd)
        os.close(target)
    sys.argv = ["pytest_trtcache.spawn.child", step_path]
    from pytest_trtcache.spawn import child

    code = child.run(step_path)
    with open(step["observation"], encoding="utf-8") as f:
        obs = json.load(f)
    obs["timing"]["forked"] = forked
    with open(step["observation"] + ".tmp", "w", encoding="utf-8") as f:
        json.dump(obs, f)
    os.replace(step["observation"] + ".tmp", step["observation"])
    # No gc.unfreeze(): the frozen part holds only torch and the warm libraries, so every
    # cycle that can keep a user's engine alive (a module dict <-> its functions, once
    # sys.modules lets go) is young and collected here as in an exec'd interpreter.
    raise SystemExit(code)  # unwinds out of main(): a real interpreter shutdown


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m pytest_trtcache.spawn.server")
    parser.add_argument("--preload", action="append", default=[], metavar="TARGET")
    parser.add_argument("--import", dest="imports", action="append", default=[], metavar="MODULE")
    args = parser.parse_args(argv)
    # The protocol gets private fds; fd 1 joins stderr so prints by preloaded code
    # cannot corrupt a reply.
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    from pytest_trtcache.spawn import safety

    _import_warm_libraries()
    gc.collect()
    gc.freeze()  # torch and the libraries only: see the module docstring
    skipped = _preload(args.preload, args.imports)
    _send(replies, {"ready": True, "pid": os.getpid(), "unsafe": safety.fork_unsafe_reason(), "skipped": skipped})
    for line in requests:
        request = json.loads(line)
        reason = safety.fork_unsafe_reason()
        if reason:
            _send(replies, {"unsafe": reason})
            continue
        pid = os.fork()
        if pid == 0:
            _become_child(request["step"], requests, replies)
        try:
            os.setpgid(pid, pid)  # also here, so the client can kill the group at once
        except OSError:
            pass  # the child already did it, or already exited
        _send(replies, {"pid": pid})
        _, status = os.waitpid(pid, 0)
        _send(replies, {"pid": pid, "status": os.waitstatus_to_exitcode(status)})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
