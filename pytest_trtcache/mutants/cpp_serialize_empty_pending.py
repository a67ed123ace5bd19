"""PR #4368 undone (cpp): ``serialize()`` is empty before materialization."""

from ._build import derive

globals().update(derive(__name__, cpp_variant="serialize_empty_pending"))
