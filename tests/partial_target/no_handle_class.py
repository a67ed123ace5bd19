from pytest_trtcache.mutants._build import derive

globals().update(derive(__name__))
del _RuntimeCacheHandle
