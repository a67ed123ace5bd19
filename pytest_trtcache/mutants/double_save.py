"""Plausible (PR #4362 without the flag flip): ``__del__`` and the hook both save."""

import contextlib

from pytest_trtcache.reference.cache import RuntimeCache as _Reference

from ._build import derive


class RuntimeCache(_Reference):
    def _autosave_if_enabled(self):
        with contextlib.suppress(Exception):
            if self.autosave_on_del and self.path:
                self.save()


globals().update(derive(__name__, cache=RuntimeCache))
