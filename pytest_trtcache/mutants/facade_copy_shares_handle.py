"""A facade ``__copy__`` that shares the original's handle: ``copy.copy`` of a facade
is no longer independent (the reference's shallow copy goes through
``__getstate__``/``__setstate__``, as a pickle does)."""

from pytest_trtcache.reference.cache import RuntimeCache as _Reference

from ._build import derive


class RuntimeCache(_Reference):
    def __copy__(self):
        twin = type(self).__new__(type(self))
        twin._atexit_token = None
        twin._handle = self._handle
        twin.autosave_on_del = False
        return twin


globals().update(derive(__name__, cache=RuntimeCache))
