"""The ``trtcache`` command and its subcommands, one module each.

``cli`` (argument parsing, ``run`` and ``report``), ``suite`` (how a child pytest runs
the installed suite: shared by run, selfcheck and verdicts), ``doctor``, ``selfcheck``,
``verdicts``, ``bench`` (with ``bench_probe``, imported into a fork server to time a
child's shutdown).
"""
