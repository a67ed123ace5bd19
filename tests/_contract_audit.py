"""What docs/contract.md says upstream 2.14.0 does with a ``pathlib.Path`` facade path, a
``save()`` to an existing directory and a ``load()`` of a FIFO, checked on the real module:
``python -m tests._contract_audit {pathlib|directory|fifo} <wheel: spec> <empty dir>``
(tests/test_wheel_target.py runs each in a child: one wheel's sources per process)."""

from __future__ import annotations

import gc
import os
import pathlib
import shutil
import sys
import threading

from filelock import FileLock, Timeout

from pytest_trtcache.targets import resolve


def filled(rt, path, autosave: bool = False):
    rc = rt.api.RuntimeCache(path, autosave_on_del=autosave)
    rt.materialize(rc._handle)
    rt.add_kernels(rc._handle, {b"k": b"v"})
    return rc


def tree(root) -> list:
    return sorted(os.path.relpath(os.path.join(d, name), root) for d, dirs, files in os.walk(root) for name in dirs + files)


def raises(kind: type, call) -> bool:
    try:
        call()
    except kind:
        return True
    return False


def check_pathlib(spec: str, root: str) -> None:
    """.path is the caller's Path; save() makes the directory, then TypeError (py:353);
    load() of a missing file returns, of an existing one TypeError (py:333); an autosaving
    Path facade writes nothing."""
    rt = resolve(spec).runtime("python")
    with rt.active():
        path = pathlib.Path(root, "sub", "cache.bin")
        rc = filled(rt, path)
        assert type(rc.path) is pathlib.PosixPath, type(rc.path)
        assert raises(TypeError, rc.save) and tree(root) == ["sub"], tree(root)
        assert rc.load() is None  # missing: the first-run return comes before the lock
        path.write_bytes(b"")
        assert raises(TypeError, rc.load)
        auto = pathlib.Path(root, "auto", "cache.bin")
        rc = filled(rt, auto, autosave=True)
        del rc
        gc.collect()
        assert os.path.isdir(auto.parent) and tree(auto.parent) == [], tree(auto.parent)


def check_directory(spec: str, root: str) -> None:
    """shutil.move(tmp, target) (py:360) moves the temp file into the directory and returns;
    a second save finds it there and raises shutil.Error; the reference raises IsADirectoryError."""
    target = os.path.join(root, "adir")
    os.mkdir(target)
    upstream = resolve(spec).runtime("python")
    with upstream.active():
        rc = filled(upstream, target)
        assert rc.save() is None
        assert tree(root) == ["adir", "adir.lock", os.path.join("adir", "adir.tmp")], tree(root)
        assert raises(shutil.Error, rc.save)
    os.unlink(os.path.join(target, "adir.tmp"))
    reference = resolve("reference").runtime("python")
    with reference.active():
        assert raises(IsADirectoryError, filled(reference, target).save)
    assert tree(root) == ["adir", "adir.lock"], tree(root)


def check_fifo(spec: str, root: str) -> None:
    """Upstream and the reference open the path under the lock (py:333-334): a FIFO's open
    waits for a writer, holding the lock. No clock: the writer's open returns only once the
    load has opened the FIFO, which it does inside the lock."""
    for rt in (resolve(spec).runtime("python"), resolve("reference").runtime("python")):
        fifo = os.path.join(root, f"{rt.target.spec.split(':')[0]}.bin")
        os.mkfifo(fifo)
        opened, release, errors = threading.Event(), threading.Event(), []

        def writer() -> None:
            with open(fifo, "wb"):
                opened.set()
                release.wait()

        def loader() -> None:
            try:
                with rt.active():
                    rt.api.RuntimeCache(fifo).load()
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                if not opened.is_set():  # the load never opened the FIFO: let the writer through
                    rescue = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
                    opened.wait()
                    os.close(rescue)

        threads = [threading.Thread(target=writer), threading.Thread(target=loader)]
        for thread in threads:
            thread.start()
        opened.wait()
        try:
            held = raises(Timeout, lambda: FileLock(fifo + ".lock", timeout=0).acquire())
        finally:
            release.set()
            for thread in threads:
                thread.join()
        assert held and not errors, f"{rt.target.spec}: lock held while the load waits on the FIFO: {held}; errors {errors}"


if __name__ == "__main__":
    check, spec, root = sys.argv[1:4]
    {"pathlib": check_pathlib, "directory": check_directory, "fifo": check_fifo}[check](spec, root)
    print(f"{check}: as docs/contract.md says")
