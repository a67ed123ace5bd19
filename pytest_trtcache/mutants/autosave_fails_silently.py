"""torch-tensorrt 2.14.0's ``_autosave_if_enabled``: ``except Exception: pass``."""

from pytest_trtcache import reference as _ref

from ._build import derive


class RuntimeCache(_ref.RuntimeCache):
    def _autosave_if_enabled(self) -> None:
        try:
            if self.autosave_on_del and self.path:
                self.autosave_on_del = False
                self.save()
        except Exception:
            pass


globals().update(derive(__name__, cache=RuntimeCache))
