"""A vendor's package shaped like torch-tensorrt 2.14.0 (``torch_tensorrt.runtime`` and
``torch_tensorrt.dynamo.runtime._TorchTensorRTModule``): the engine wrapper, its
``RuntimeSettings``, ``runtime_config`` and ``runtime_cache()`` written with upstream's
names, signatures and defaults, the facade and handles the reference's. It is the
target ``module:upstream_214._runtime_cache`` of ``tests/test_engine_wrapper.py``: it
runs through the harness with no adapter."""
