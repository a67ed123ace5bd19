"""The reference implementation of the fixed runtime cache, in upstream's names.

``from pytest_trtcache.reference import RuntimeCache`` works like upstream's
``torch_tensorrt.runtime._runtime_cache``; the runtime the facade picks is chosen by
:mod:`.features` (python by default, ``cpp`` for the torchbind handle).
"""

from .cache import RuntimeCache, _autosave_at_exit
from .context import runtime_cache
from .features import ENABLED_FEATURES, use_runtime
from .handle import RuntimeCacheHandle as _RuntimeCacheHandle
from .module import RuntimeSettings, TorchTensorRTModule

__all__ = [
    "ENABLED_FEATURES",
    "RuntimeCache",
    "RuntimeSettings",
    "TorchTensorRTModule",
    "_RuntimeCacheHandle",
    "_autosave_at_exit",
    "runtime_cache",
    "use_runtime",
]
