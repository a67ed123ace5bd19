"""Upstream-shaped (a surviving cosmic-ray mutant of 2.14.0's exit,
``if self.autosave or self.handle is not None``): ``runtime_cache(..., autosave=False)``
still saves on exit, overwriting a file the user asked to leave alone."""

from pytest_trtcache.reference.context import _RuntimeCacheContextManager

from ._build import derive


class _CM(_RuntimeCacheContextManager):
    def __exit__(self, *exc_info):
        self.autosave = self.autosave or self.handle is not None  # the bug: `or` for `and`
        return super().__exit__(*exc_info)


globals().update(derive(__name__, context_manager=_CM))
