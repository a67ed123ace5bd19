"""Plausible: ``__setstate__`` runs ``__init__`` (which arms a hook) and then arms another."""

import atexit
import weakref
from functools import partial

from pytest_trtcache.reference.cache import RuntimeCache as _Reference, _autosave_at_exit

from ._build import derive


class RuntimeCache(_Reference):
    def __setstate__(self, state):
        self.__init__(state["path"], autosave_on_del=state["autosave_on_del"])
        self._handle.deserialize(state["bytes"])
        if self.autosave_on_del:
            # "re-arm on load", without the idempotence check
            self._atexit_token = atexit.register(partial(_autosave_at_exit, weakref.ref(self)))


globals().update(derive(__name__, cache=RuntimeCache))
