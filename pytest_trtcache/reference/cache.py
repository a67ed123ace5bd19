"""The ``RuntimeCache`` facade and its at-exit autosave (``runtime_cache()``: context.py).

Written from the contracts of both upstream fixes (PR #4362, PR #4368) and hardened
where the extension and security clauses ask for more:

* autosave: an ``atexit`` hook over a ``weakref`` (a module-level helper, so the
  registry never owns the facade) plus ``__del__`` for mid-program collection; both
  flip ``autosave_on_del`` off first, so exactly one save happens (A1, A3-A5);
  ``__del__`` reads its token with ``getattr`` (A7) and a failed autosave is logged
  (A9), never raised into ``sys.unraisablehook`` (A2);
* ``filelock`` is imported at module import, never lazily in ``save()``: the lazy
  import is what raised ``sys.meta_path is None`` at shutdown in issue #4359;
* pickling carries ``path``, the handle's bytes and the flag, never the token or
  the handle's class, so a facade loads under either runtime (F1-F3);
* ``save()`` writes a private temp file (``O_EXCL``, so never through a planted
  symlink), fsyncs it and ``os.replace``-s it over the target; nothing to save means
  nothing touched (S1, S4, X1).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import stat
import tempfile
import weakref
from functools import partial
from typing import IO, Any, Callable, Optional, Union

from filelock import FileLock

from .features import ENABLED_FEATURES
from .handle import RuntimeCacheHandle, bytes_tensor, tensor_bytes
from .kernels import RuntimeConfig

logger = logging.getLogger("pytest_trtcache.reference")

FILELOCK_TIMEOUT_S = 10.0
FILELOCK_POLL_S = 0.005


def _autosave_at_exit(ref: "weakref.ref[RuntimeCache]") -> None:
    """Module-level so the at-exit registry holds only a weakref, never the facade (A5)."""
    rc = ref()
    if rc is not None:
        rc._autosave_if_enabled()


def file_lock(target: str) -> Any:
    """The cross-process lock of ``target`` (``target.lock``). Polled every 5 ms, not
    filelock's default 50: savers at exit queue up behind one another, and each wait
    would otherwise round up to 50 ms."""
    return FileLock(target + ".lock").acquire(timeout=FILELOCK_TIMEOUT_S, poll_interval=FILELOCK_POLL_S)


def check_directory(target: str) -> None:
    """X2: refuse a cache whose directory another user can write to.

    Anyone who can write there can plant a symlink or a poisoned blob at our path.
    A sticky, world-writable directory (``/tmp``) still lets others create names, so
    it is refused as well: put the cache in a directory of your own.
    """
    parent = os.path.dirname(os.path.abspath(target))
    try:
        st = os.stat(parent)
    except FileNotFoundError:
        return  # created by us, with our umask
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise PermissionError(
            f"runtime cache directory {parent!r} is writable by other users (mode {stat.filemode(st.st_mode)}); "
            "refusing to trust it: use a directory only you can write to"
        )


def write_atomically(target: str, blob: bytes) -> None:
    """Replace ``target`` with ``blob``: old or new file, never a mix, no temp left."""
    parent = os.path.dirname(os.path.abspath(target))
    os.makedirs(parent, mode=0o700, exist_ok=True)
    prefix = os.path.basename(target) + "."
    with file_lock(target):
        # Under the lock no other writer is mid-save: temp files left here belong to
        # writers that died (SIGKILL) and are swept, so none outlives the next save (S4).
        # (plain string matching: glob/fnmatch import ``re`` lazily, which is gone at module
        # teardown, where a late ``__del__`` may still be saving)
        for entry in os.scandir(parent):
            if entry.name.startswith(prefix) and entry.name.endswith(".tmp"):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=prefix, suffix=".tmp")
        try:
            try:  # raw os calls: os.fdopen imports io lazily, gone at module teardown
                view = memoryview(blob)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, target)  # replaces a symlink at target, never writes through it
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


class RuntimeCache:
    """User-facing handle for the runtime kernel cache (reference implementation)."""

    #: the python-runtime handle class (mutants swap it)
    python_handle_class: Any = RuntimeCacheHandle
    #: the C++ build variant of the cpp-runtime handle ("" is the fixed one; cpp mutants set it)
    cpp_variant: str = ""
    #: X2's check of a cache file's directory (a mutant swaps it on its own class: patching
    #: the module's function would race with other threads' saves and outlive the mutant)
    check_directory = staticmethod(check_directory)
    #: how ``save()`` puts the bytes on disk (the save mutants swap it on their own class,
    #: so each differs from the reference by its bug alone)
    write_file = staticmethod(write_atomically)

    @classmethod
    def _new_handle(cls, path: str) -> Any:
        """The handle of the process's active runtime (upstream: ``ENABLED_FEATURES``)."""
        if ENABLED_FEATURES.torch_tensorrt_runtime:
            from .cpp import handle_class

            return handle_class(cls.cpp_variant)(path)
        return cls.python_handle_class(path)

    def __init__(self, path: Union[str, "os.PathLike[str]"] = "", autosave_on_del: bool = False) -> None:
        # First, so ``__del__`` of a half-built facade finds it (A7).
        self._atexit_token: Optional[Callable[[], None]] = None
        self._handle = self._new_handle(os.fspath(path) if path else "")
        self.autosave_on_del = autosave_on_del
        if autosave_on_del:
            self._register_atexit_autosave()

    @property
    def path(self) -> str:
        return self._handle.path

    def is_cpp_runtime(self) -> bool:
        return not isinstance(self._handle, RuntimeCacheHandle)

    def has_cache(self) -> bool:
        return self._handle.has_cache()

    # -- engine side ---------------------------------------------------------------------
    def ensure_cache(self, runtime_config: Any = None) -> Any:
        """Materialize against ``runtime_config`` (python runtime) or the C++ model."""
        if self.is_cpp_runtime():
            from .cpp import materialize

            materialize(self._handle)
            return None
        return self._handle.ensure_materialized(runtime_config or RuntimeConfig())

    # -- streams and files ---------------------------------------------------------------
    def load_from_stream(self, stream: IO[bytes]) -> int:
        data = stream.read()
        if not data:
            return 0
        self._handle.deserialize(bytes_tensor(data))
        return len(data)

    def save_to_stream(self, stream: IO[bytes]) -> int:
        data = tensor_bytes(self._handle.serialize())
        if data:
            stream.write(data)
        return len(data)

    def load(self, path: Optional[Union[str, "os.PathLike[str]"]] = None) -> None:
        target = os.fspath(path) if path is not None else self.path
        if not target or not os.path.exists(target):
            return  # S2: first run, nothing to load
        self.check_directory(target)
        with file_lock(target):
            with open(target, "rb") as f:
                self.load_from_stream(f)

    def save(self, path: Optional[Union[str, "os.PathLike[str]"]] = None) -> None:
        target = os.fspath(path) if path is not None else self.path
        if not target:
            return  # S2
        data = tensor_bytes(self._handle.serialize())
        if not data:
            return  # S1: nothing to save, existing file untouched, no temp file
        self.check_directory(target)
        self.write_file(target, data)

    # -- autosave ------------------------------------------------------------------------
    def _autosave_if_enabled(self) -> None:
        """Shared by ``__del__`` and the at-exit hook; whichever runs first wins (A4)."""
        try:
            if self.autosave_on_del and self.path:
                self.autosave_on_del = False
                self.save()
        except Exception as exc:  # A9: report, never raise into unraisablehook
            with contextlib.suppress(Exception):
                logger.warning("runtime cache autosave to %r failed: %s: %s", self.path, type(exc).__name__, str(exc))

    def _register_atexit_autosave(self) -> None:
        if self._atexit_token is None:
            self._atexit_token = atexit.register(partial(_autosave_at_exit, weakref.ref(self)))

    def __getstate__(self) -> dict[str, Any]:
        # Neither the token (a weakref) nor the handle's class crosses the boundary (F1, F3).
        return {"path": self.path, "bytes": self._handle.serialize(), "autosave_on_del": self.autosave_on_del}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._atexit_token = None
        self._handle = self._new_handle(state["path"])
        self._handle.deserialize(state["bytes"])
        self.autosave_on_del = state["autosave_on_del"]
        if self.autosave_on_del:
            self._register_atexit_autosave()  # F2: one fresh hook in the loading process

    def __del__(self) -> None:
        self._autosave_if_enabled()
        token = getattr(self, "_atexit_token", None)  # A7: may be half-built
        if token is not None:
            try:
                atexit.unregister(token)  # A3: no dead entries accumulate
            except Exception:
                pass

    def __repr__(self) -> str:
        return f"RuntimeCache(path={self.path!r}, autosave_on_del={self.autosave_on_del}, materialized={self.has_cache()})"
