"""PR #4362 commit 2 undone: the facade pickles its ``__dict__``, at-exit token included."""

from pytest_trtcache.reference.cache import RuntimeCache as _Reference

from ._build import derive


class RuntimeCache(_Reference):
    def __getstate__(self):
        return {"path": self.path, "bytes": self._handle.serialize(), "autosave_on_del": self.autosave_on_del, "_atexit_token": self._atexit_token}


globals().update(derive(__name__, cache=RuntimeCache))
