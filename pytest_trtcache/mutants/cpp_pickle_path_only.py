"""PR #4368 undone (cpp): ``def_pickle`` carries only the path."""

from ._build import derive

globals().update(derive(__name__, cpp_variant="pickle_path_only"))
