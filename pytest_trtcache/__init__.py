"""pytest-trtcache: a pytest plugin and cross-runtime conformance suite for
Torch-TensorRT's ``RuntimeCache``."""

__version__ = "0.1.0"
