"""A facade whose ``.path`` is the caller's argument as given: ``RuntimeCache(pathlib.Path(p)).path``
is that ``PosixPath`` where the reference's is ``str`` (upstream 2.14.0's handle keeps the
argument as given, though the property is annotated ``-> str``). Everything else goes
through the reference's ``str`` path (saves, loads, the lock, a pickle), so the return value
of ``.path`` (E11) is all that differs."""

import os

from pytest_trtcache.reference.cache import RuntimeCache as _Reference

from ._build import derive


class RuntimeCache(_Reference):
    def __init__(self, path="", autosave_on_del=False):
        self._given_path = path
        super().__init__(path, autosave_on_del)

    @property
    def path(self):
        given = getattr(self, "_given_path", None)
        if isinstance(given, os.PathLike) and os.fspath(given) == self._handle.path:
            return given
        return self._handle.path

    def load(self, path=None):
        return super().load(self._handle.path if path is None else path)

    def save(self, path=None):
        return super().save(self._handle.path if path is None else path)

    def __getstate__(self):
        return {**super().__getstate__(), "path": self._handle.path}


globals().update(derive(__name__, cache=RuntimeCache))
