"""Plausible: a user-built ``RuntimeCache(path)`` autosaves by default."""

from pytest_trtcache.reference.cache import RuntimeCache as _Reference

from ._build import derive


class RuntimeCache(_Reference):
    def __init__(self, path="", autosave_on_del=True):
        super().__init__(path, autosave_on_del)


globals().update(derive(__name__, cache=RuntimeCache))
