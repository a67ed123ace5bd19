"""PR #4368 undone: the python handle has no ``__getstate__``/``__setstate__``."""

from pytest_trtcache.reference.handle import RuntimeCacheHandle

from ._build import derive


class _RuntimeCacheHandle(RuntimeCacheHandle):
    __getstate__ = object.__getstate__

    def __setstate__(self, state):
        self.__dict__.update(state)


globals().update(derive(__name__, handle=_RuntimeCacheHandle))
