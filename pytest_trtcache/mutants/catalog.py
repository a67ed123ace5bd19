"""Every mutant in the zoo, one entry each: name, clauses it violates, origin."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mutant:
    name: str
    clauses: tuple[str, ...]  # the clauses that must fail on it
    origin: str  # the upstream change it undoes, or "plausible"
    description: str
    runtimes: tuple[str, ...] = ("python",)  # runtimes the mutant target has
    cpp_variant: str = ""  # C++ preprocessor variant for the cpp runtime
    package: str = field(default="")

    @property
    def module(self) -> str:
        return self.package or f"pytest_trtcache.mutants.{self.name.replace('-', '_')}"


MUTANTS: dict[str, Mutant] = {}


def register(mutant: Mutant) -> Mutant:
    if mutant.name in MUTANTS:
        raise ValueError(f"duplicate mutant {mutant.name!r}")
    MUTANTS[mutant.name] = mutant
    return mutant


register(Mutant(
    name="handle-pickles-lock",
    clauses=("H5", "H6"),
    origin="PR #4368 (torch-tensorrt <= 2.13.0): python handle had no __getstate__",
    description="python handle pickled by default __dict__ walk: TypeError on _thread.lock",
))

register(Mutant(
    name="cpp-serialize-empty-pending",
    clauses=("H1", "H5", "H9", "H7"),
    origin="PR #4368 (torch-tensorrt <= 2.13.0): cpp serialize() returned nothing before materialization",
    description="cpp handle: serialize() (and so def_pickle, save()) is empty in the pending window; the stashed bytes are lost",
    runtimes=("python", "cpp"),  # python: the clean reference, for H7 to compare with
    cpp_variant="serialize_empty_pending",
))

register(Mutant(
    name="cpp-pickle-path-only",
    clauses=("H5", "H6", "H7"),
    origin="PR #4368 (torch-tensorrt <= 2.13.0): cpp def_pickle carried only the path",
    description="cpp handle: def_pickle carries only the path, so pickle and deepcopy drop the bytes in every state",
    runtimes=("python", "cpp"),  # python: the clean reference, for H7 to compare with
    cpp_variant="pickle_path_only",
))

register(Mutant(
    name="cpp-deserialize-drops-pending",
    clauses=("H1", "H7"),
    origin="plausible",
    description="cpp handle: deserialize() before materialization drops the bytes instead of stashing them",
    runtimes=("python", "cpp"),  # python: the clean reference, for H7 to compare with
    cpp_variant="deserialize_drops_pending",
))

# -- handle inputs, save robustness and security (H8, H9, A9, S4-S6, X1, X2) -----------------
register(Mutant(
    name="python-serialize-empty-pending",
    clauses=("H9",),
    origin="torch-tensorrt 2.14.0: python handle's serialize() is empty before materialization (the cpp handle's is not since PR #4368)",
    description="python handle: serialize() returns an empty tensor while pending, so save() persists nothing then",
))
register(Mutant(
    name="deserialize-reinterprets-dtype",
    clauses=("H8",),
    origin="torch-tensorrt 2.14.0: deserialize() takes bytes(data.cpu().contiguous().numpy()) of any dtype",
    description="python handle: a float32/int64 tensor's memory is taken as cache bytes",
))
register(Mutant(
    name="reinterprets-dtype-and-retries-autosave",
    clauses=("H8", "A4"),
    origin="plausible: 2.14.0's deserialize, and an autosave that re-arms itself after a failed save",
    description="an extension finding (H8) anywhere, a required one (A4) only after a save into a broken directory",
))
register(Mutant(
    name="autosave-fails-silently",
    clauses=("A9",),
    origin="torch-tensorrt 2.14.0: _autosave_if_enabled swallows every exception with `pass`",
    description="facade: a failed autosave leaves no trace",
))
register(Mutant(
    name="save-leaves-temp-on-error",
    clauses=("S4",),
    origin="torch-tensorrt 2.14.0: an exception while writing leaves path + '.tmp' behind",
    description="facade: save() does not remove its temp file when writing or renaming fails",
))
register(Mutant(
    name="save-writes-in-place",
    clauses=("S4", "X1"),
    origin="plausible",
    description="facade: save() truncates and rewrites the cache file in place (and so writes through a symlink planted at it)",
))
register(Mutant(
    name="save-without-lock",
    clauses=("S5",),
    origin="plausible (upstream's save() without its filelock)",
    description="facade: concurrent savers share one temp name with no lock",
))
register(Mutant(
    name="corrupt-cache-silent-cold-start",
    clauses=("S6",),
    origin="plausible",
    description="python handle: unreadable pending bytes are dropped without a warning",
))
register(Mutant(
    name="save-follows-temp-symlink",
    clauses=("X1",),
    origin="torch-tensorrt 2.14.0: save() opens path + '.tmp' for writing before it knows there is anything to save",
    description="facade: a symlink planted at path + '.tmp' has its target truncated, even with nothing to save",
))
register(Mutant(
    name="trusts-shared-directory",
    clauses=("X2",),
    origin="torch-tensorrt 2.14.0 (no directory check)",
    description="facade: loads from and saves into a directory any user can write to",
))

register(Mutant(
    name="pre-4362-del-only",
    clauses=("A1", "A2", "C1", "C2"),
    origin="PR #4362 (torch-tensorrt < 2.13.0): autosave only in __del__, filelock imported lazily in save()",
    description="__del__-only autosave; at shutdown the lazy import raises 'sys.meta_path is None' and the file is never written",
))

# Lifecycle paths (first found by the lifecycle state machine, pytest_trtcache/lifecycle/).
register(Mutant(
    name="lifecycle-rematerialize",
    clauses=("H2",),
    origin="plausible",
    description="ensure_materialized() creates a fresh live cache on every call, losing entries",
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

# -- sizes and ownership (C1, S3, H10) -------------------------------------------------------
register(Mutant(
    name="load-reads-bounded-prefix",
    clauses=("C1",),
    origin="plausible: one read into a fixed 1 MiB buffer",
    description="load() reads at most the first 1 MiB of the cache file, so a bigger cache loads cut and starts cold",
))
register(Mutant(
    name="deserialize-keeps-caller-view",
    clauses=("H10",),
    origin="plausible: a zero-copy deserialize (detach().contiguous() is the caller's memory when it already is contiguous)",
    description="python handle: pending bytes are a view of the caller's tensor, read when needed, so reusing the tensor changes the cache",
))
register(Mutant(
    name="stream-load-stops-at-short-read",
    clauses=("S3",),
    origin="plausible: a chunked reader that takes a short read for the end of the stream",
    description="load_from_stream() reads 64 KiB chunks and stops at the first shorter one, so a pipe-like stream loads cut",
))

# -- found by the audit of 2.14.0's public surface (docs/contract.md) ------------------------
register(Mutant(
    name="serialize-returns-a-view",
    clauses=("H11",),
    origin="plausible: a zero-copy serialize() (upstream copies through bytearray / at::empty)",
    description="python handle: serialize() of a pending handle is a view of its pending bytes, so writing into the result rewrites the cache",
))
register(Mutant(
    name="facade-deepcopy-keeps-identity",
    clauses=("F4",),
    origin="torch-tensorrt 2.13.0: RuntimeCache.__deepcopy__ returns self (dropped in 2.14.0)",
    description="copy.deepcopy of a facade is the facade itself: one handle, one at-exit hook for both",
))
register(Mutant(
    name="save-needs-directory",
    clauses=("S7",),
    origin="plausible: save() without upstream's os.makedirs(parent, exist_ok=True)",
    description="save() into a directory that does not exist yet raises FileNotFoundError",
))
register(Mutant(
    name="load-empty-file-resets",
    clauses=("S8",),
    origin="plausible: an empty cache file read as a cleared cache (upstream's load_from_stream returns 0)",
    description="load() of an existing, empty file replaces the handle, dropping its pending bytes or live cache",
))
register(Mutant(
    name="cm-keeps-settings-on-error",
    clauses=("A10",),
    origin="plausible: runtime_cache().__exit__ restoring settings only on a clean exit (upstream's inner runtime_config CM restores always)",
    description="after a raising block every engine keeps the context manager's shared cache in its runtime settings",
))
register(Mutant(
    name="cm-reads-every-stream",
    clauses=("A11",),
    origin="torch-tensorrt 2.14.0: runtime_cache()._load_into reads any stream it accepted, write-only sinks included",
    description="runtime_cache(module, sink) with a write-only sink raises AttributeError on entering the block",
))
register(Mutant(
    name="cm-without-engines",
    clauses=("A12",),
    origin="plausible: runtime_cache().__enter__ without upstream's 'requires at least one TorchTensorRTModule' RuntimeError",
    description="a runtime_cache() block over a model with no engine is entered, loading (and on exit saving) a cache no engine uses",
))
register(Mutant(
    name="cm-searches-first-target-only",
    clauses=("A10",),
    origin="upstream-shaped: cosmic-ray mutant of 2.14.0 _runtime_cache.py:539 ('if bootstrap_module is None: break')",
    description="runtime_cache([no engine, engine]) raises RuntimeError: the engine search looks in the first target only",
))
register(Mutant(
    name="cm-saves-without-autosave",
    clauses=("A8",),
    origin="upstream-shaped: cosmic-ray mutant of 2.14.0 _runtime_cache.py:567 ('if self.autosave or self.handle is not None')",
    description="runtime_cache(..., autosave=False) saves on exit anyway",
))
register(Mutant(
    name="save-bare-name-fails",
    clauses=("S7",),
    origin="upstream-shaped: cosmic-ray mutant of 2.14.0 _runtime_cache.py:351 ('if not parent: os.makedirs(parent)')",
    description="save('cache.bin') raises FileNotFoundError: the directory is made of the path's own '' directory part",
))


# "does more than the reference" (E1-E11): their entries live in side_effects.py
from pytest_trtcache.mutants.side_effects import SIDE_EFFECTS  # noqa: E402

for _fields in SIDE_EFFECTS:
    register(Mutant(**_fields))
