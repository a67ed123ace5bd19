"""The conformance report as data: its versioned schema (:mod:`.schema`, ``schema.json``),
atomic files (:mod:`.files`) and its one renderer (:mod:`.render`).

Imports no pytest: ``trtcache report``, ``verdicts`` and ``selfcheck`` read reports
without loading the plugin.
"""
