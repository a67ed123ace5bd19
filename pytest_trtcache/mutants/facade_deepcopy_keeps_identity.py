"""torch-tensorrt 2.13.0's ``RuntimeCache.__deepcopy__``: identity kept ("a live resource
handle"), so a deep copy is the original facade, sharing its handle and its at-exit hook.
2.14.0 dropped it: a deep copy goes through ``__getstate__``/``__setstate__``."""

from pytest_trtcache.reference.cache import RuntimeCache as _Reference

from ._build import derive


class RuntimeCache(_Reference):
    def __deepcopy__(self, memo):
        memo[id(self)] = self
        return self


globals().update(derive(__name__, cache=RuntimeCache))
