import sys, torch
from pytest_trtcache.reference import cpp, kernels
from pytest_trtcache.targets.base import tensor_of
H = cpp.handle_class()
case = sys.argv[1]
h = H("p")
try:
    if case == "type":
        h.deserialize(torch.zeros(4, dtype=torch.float32))
    elif case == "value":
        cpp.materialize(h); h.deserialize(tensor_of(b"x"))
    elif case == "runtime":
        h.add_entry("k", tensor_of(b"v"))
    elif case == "drain":
        h.deserialize(tensor_of(b"xyz")); cpp.materialize(h); print("drained ok", h.has_cache())
except Exception as e:
    print(case, "->", type(e).__name__, str(e).splitlines()[0])
