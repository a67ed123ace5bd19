"""A module laid out in upstream's names (``torch_tensorrt.runtime._runtime_cache``),
re-exporting the reference: what ``module:tests.lifecycle_fixture_module`` points at."""

from pytest_trtcache.reference import RuntimeCache, TorchTensorRTModule, _autosave_at_exit, _RuntimeCacheHandle, runtime_cache

__all__ = ["RuntimeCache", "TorchTensorRTModule", "_RuntimeCacheHandle", "_autosave_at_exit", "runtime_cache"]
