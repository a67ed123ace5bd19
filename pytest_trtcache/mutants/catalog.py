"""Every mutant in the zoo, one entry each: name, clauses it violates, origin."""

from . import Mutant, register

register(Mutant(
    name="handle-pickles-lock",
    clauses=("H5", "H6"),
    origin="PR #4368 (torch-tensorrt <= 2.13.0): python handle had no __getstate__",
    description="python handle pickled by default __dict__ walk: TypeError on _thread.lock",
))

register(Mutant(
    name="pre-4362-del-only",
    clauses=("A1", "A2", "C1", "C2"),
    origin="PR #4362 (torch-tensorrt < 2.13.0): autosave only in __del__, filelock imported lazily in save()",
    description="__del__-only autosave; at shutdown the lazy import raises 'sys.meta_path is None' and the file is never written",
))
