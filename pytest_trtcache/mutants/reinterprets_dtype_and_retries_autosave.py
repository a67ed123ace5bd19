"""Two findings at two levels: an extension one anywhere (H8: any dtype's memory taken as
cache bytes) and a required one only the hostile world reaches (A4: an autosave that
failed, its directory broken, turns the flag back on and saves again later). A machine
that stopped at the first finding would report H8 and never A4."""

import contextlib

from pytest_trtcache.reference.cache import RuntimeCache as _Reference
from pytest_trtcache.reference.cache import logger

from ._build import derive
from .deserialize_reinterprets_dtype import _RuntimeCacheHandle as _ReinterpretingHandle


class RuntimeCache(_Reference):
    def _autosave_if_enabled(self) -> None:
        try:
            if self.autosave_on_del and self.path:
                self.autosave_on_del = False
                self.save()
        except Exception as exc:
            self.autosave_on_del = True  # "try again later": a second save of one facade
            with contextlib.suppress(Exception):
                logger.warning("runtime cache autosave to %r failed: %s: %s", self.path, type(exc).__name__, str(exc))


class _RuntimeCacheHandle(_ReinterpretingHandle):
    pass


globals().update(derive(__name__, handle=_RuntimeCacheHandle, cache=RuntimeCache))
