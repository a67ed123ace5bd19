"""Plausible cpp bug: ``deserialize()`` before materialization drops the bytes."""

from ._build import derive

globals().update(derive(__name__, cpp_variant="deserialize_drops_pending"))
