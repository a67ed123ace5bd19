"""The benchmark's vendor package (``trtcache bench --suite``): an implementation with
upstream's names in two states, each its own ``module:`` target.

* ``module:pytest_trtcache.commands.bench_vendor.fixed``: every class the reference's,
  under the vendor's own names (the conformance suite passes it);
* ``module:pytest_trtcache.commands.bench_vendor.buggy``: the same with three bugs a
  vendor plausibly writes, one each in pickling, the at-exit autosave hook and saving
  (:mod:`.buggy` says which). Several lifecycle machines fail on it in one run, which is
  what a vendor's failing run costs.
"""
