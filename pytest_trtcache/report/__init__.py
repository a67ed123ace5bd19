"""A run's results as data: the typed records (:mod:`.records`), their versioned JSON
schema (:mod:`.schema`, ``schema.json``), their files and the one (de)serializer
(:mod:`.files`), and the one renderer (:mod:`.render`).

Imports no pytest: ``trtcache report``, ``verdicts`` and ``selfcheck`` read reports
without loading the plugin.
"""
