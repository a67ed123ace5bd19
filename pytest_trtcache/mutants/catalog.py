"""Every mutant in the zoo, one entry each: name, clauses it violates, origin."""

from . import Mutant, register

register(Mutant(
    name="handle-pickles-lock",
    clauses=("H5", "H6"),
    origin="PR #4368 (torch-tensorrt <= 2.13.0): python handle had no __getstate__",
    description="python handle pickled by default __dict__ walk: TypeError on _thread.lock",
))

register(Mutant(
    name="cpp-serialize-empty-pending",
    clauses=("H1", "H5", "H9"),
    origin="PR #4368 (torch-tensorrt <= 2.13.0): cpp serialize() returned nothing before materialization",
    description="cpp handle: serialize() (and so def_pickle, save()) is empty in the pending window; the stashed bytes are lost",
    runtimes=("cpp",),
    cpp_variant="serialize_empty_pending",
))

register(Mutant(
    name="cpp-pickle-path-only",
    clauses=("H5", "H6"),
    origin="PR #4368 (torch-tensorrt <= 2.13.0): cpp def_pickle carried only the path",
    description="cpp handle: def_pickle carries only the path, so pickle and deepcopy drop the bytes in every state",
    runtimes=("cpp",),
    cpp_variant="pickle_path_only",
))

register(Mutant(
    name="cpp-deserialize-drops-pending",
    clauses=("H1",),
    origin="plausible",
    description="cpp handle: deserialize() before materialization drops the bytes instead of stashing them",
    runtimes=("cpp",),
    cpp_variant="deserialize_drops_pending",
))
