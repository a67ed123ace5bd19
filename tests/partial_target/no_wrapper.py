"""A target with upstream's names but no engine wrapper class: W1 and W2 cannot be observed."""

from pytest_trtcache.mutants._build import derive

globals().update(derive(__name__))
del TorchTensorRTModule  # noqa: F821  (put there by derive)
