"""A4 broken: autosave does not flip ``autosave_on_del`` off, so the at-exit hook and
``__del__`` both save (PR #4362's "exactly one save" undone)."""

from pytest_trtcache.reference.cache import RuntimeCache as _Reference
from pytest_trtcache.reference.cache import logger

from ._build import derive


class RuntimeCache(_Reference):
    def _autosave_if_enabled(self):
        try:
            if self.autosave_on_del and self.path:
                self.save()
        except Exception as exc:
            logger.warning("runtime cache autosave to %r failed: %s", self.path, exc)


globals().update(derive(__name__, cache=RuntimeCache))
