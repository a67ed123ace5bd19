"""Like upstream's: the runtime is 'available' when the library file exists."""

import os
from collections import namedtuple

FeatureSet = namedtuple("FeatureSet", ["torchscript_frontend", "torch_tensorrt_runtime", "dynamo_frontend"])

_dir = os.path.dirname(__file__)
linked_file_runtime_full_path = os.path.join(_dir, "lib", "libtorchtrt_runtime.so")
_TORCHTRT_RT_AVAIL = os.path.isfile(linked_file_runtime_full_path)
ENABLED_FEATURES = FeatureSet(False, _TORCHTRT_RT_AVAIL, True)
