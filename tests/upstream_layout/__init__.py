"""A package laid out like ``torch_tensorrt.runtime`` (for ``module:`` target tests)."""
