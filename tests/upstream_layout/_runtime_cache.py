"""Upstream's ``_runtime_cache.py`` names, backed by the reference implementation.

What a vendor's module looks like to ``--trtcache-target=module:<dotted>``: the classes
are defined (by name) in this module, so pickles reference it, as they would
``torch_tensorrt.runtime._runtime_cache``.
"""

from pytest_trtcache.mutants._build import derive

globals().update(derive(__name__))

__all__ = ["RuntimeCache", "TorchTensorRTModule", "_RuntimeCacheHandle", "_autosave_at_exit", "runtime_cache"]
