"""Every mutant in the zoo, one entry each: name, clauses it violates, origin."""

from . import Mutant, register

register(Mutant(
    name="handle-pickles-lock",
    clauses=("H5", "H6"),
    origin="PR #4368 (torch-tensorrt <= 2.13.0): python handle had no __getstate__",
    description="python handle pickled by default __dict__ walk: TypeError on _thread.lock",
))

# -- facade pickling (F) -----------------------------------------------------------------
register(Mutant(
    name="facade-pickles-token",
    clauses=("F1",),
    origin="PR #4362 commit 2 undone: __getstate__ keeps the at-exit token",
    description="facade state carries the partial(weakref) at-exit token: pickle fails",
))
register(Mutant(
    name="facade-setstate-no-rearm",
    clauses=("F2",),
    origin="plausible: PR #4362 __setstate__ without the re-arm",
    description="an unpickled autosaving facade has no at-exit hook in the loading process",
))
register(Mutant(
    name="facade-setstate-rearms-twice",
    clauses=("F2",),
    origin="plausible: re-arm in __setstate__ on top of __init__'s, no idempotence check",
    description="an unpickled autosaving facade registers two at-exit hooks",
))
# -- wrapper (W) ---------------------------------------------------------------------------
register(Mutant(
    name="wrapper-pickles-settings",
    clauses=("W1",),
    origin="PR #4368 undone (torch-tensorrt <= 2.13.0): no TorchTensorRTModule.__getstate__",
    description="pickle/torch.save of the wrapper carries _runtime_settings and the implicit handle",
))
register(Mutant(
    name="wrapper-no-default-settings",
    clauses=("W2",),
    origin="plausible: PR #4368 __getstate__ kept, __setstate__ forgets the defaults",
    description="a loaded wrapper has no _runtime_settings / _implicit_cache_handle at all",
))
# -- autosave (A) --------------------------------------------------------------------------
register(Mutant(
    name="del-keeps-token",
    clauses=("A3",),
    origin="PR #4362 undone in part: __del__ does not atexit.unregister its token",
    description="a collected facade leaves its at-exit hook registered",
))
register(Mutant(
    name="double-save",
    clauses=("A4",),
    origin="plausible: PR #4362 without flipping autosave_on_del before saving",
    description="__del__ and the at-exit hook both save",
))
register(Mutant(
    name="atexit-bound-method",
    clauses=("A5",),
    origin="PR #4362 review undone: atexit.register(self._autosave_if_enabled)",
    description="the at-exit registry holds the facade alive (strong reference)",
))
register(Mutant(
    name="user-cache-autosaves",
    clauses=("A6",),
    origin="plausible: autosave_on_del defaults to True",
    description="a user-built RuntimeCache(path) autosaves",
))
register(Mutant(
    name="del-reads-token",
    clauses=("A7",),
    origin="PR #4362 review undone: __del__ reads self._atexit_token without getattr",
    description="__del__ of a half-built facade raises AttributeError into sys.unraisablehook",
))
register(Mutant(
    name="cm-handle-autosaves",
    clauses=("A8",),
    origin="plausible: runtime_cache() builds RuntimeCache(path, autosave_on_del=True)",
    description="the context manager's handle also autosaves: a second save after the block",
))
register(Mutant(
    name="cm-reraises-save-error",
    clauses=("A8",),
    origin="plausible: runtime_cache().__exit__ saves without a guard",
    description="a failing save on exit replaces the user's exception",
))
# -- save and load (S) ---------------------------------------------------------------------
register(Mutant(
    name="save-truncates-when-empty",
    clauses=("S1",),
    origin="upstream 2.14.0 save() (path + '.tmp' then move) without its empty-tmp check",
    description="save() with nothing to serialize truncates the existing file",
))
register(Mutant(
    name="load-missing-raises",
    clauses=("S2",),
    origin="plausible: load() without the exists check",
    description="load() of a missing file or an empty path raises FileNotFoundError",
))
register(Mutant(
    name="save-to-stream-no-count",
    clauses=("S3",),
    origin="plausible: save_to_stream() forgets to return the count",
    description="save_to_stream() writes the bytes but returns None",
))
# -- handle (H) ----------------------------------------------------------------------------
register(Mutant(
    name="deserialize-drops-pending",
    clauses=("H1",),
    origin="plausible: the pre-#4359 failure mode, bytes lost before materialization",
    description="deserialize() before materialization discards the bytes",
))
register(Mutant(
    name="materialize-without-lock",
    clauses=("H3",),
    origin="plausible: ensure_materialized's check-then-create outside the lock",
    description="concurrent materialization creates several live caches",
))
register(Mutant(
    name="deserialize-empty-clears",
    clauses=("H4",),
    origin="plausible: deserialize(empty) assigns pending = empty",
    description="deserialize of an empty tensor wipes the pending bytes",
))
