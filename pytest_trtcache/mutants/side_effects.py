"""The zoo's mutants that do *more* than the reference: an effect a caller sees beyond the
cache (its stream, a file's mode, a copy, a lock, a thread, a descriptor, an at-exit hook,
the process umask, a call's return value), owned by clauses E1-E11.

Written before the differential machine (:mod:`pytest_trtcache.differential`) that finds
them, all but ``path-keeps-caller-pathlike`` (E11's), which reproduces the divergence the
machine found in torch-tensorrt 2.14.0 (docs/verdicts.md): a mutation engine changes code that exists, it cannot add a side effect, so this class
of bug never comes from cosmic-ray. :mod:`.catalog` registers each entry.
"""

from __future__ import annotations

SIDE_EFFECTS = (
    dict(
        name="save-to-stream-flushes",
        clauses=("E1",),
        origin="plausible: save_to_stream() flushing the caller's stream",
        description="save_to_stream() calls flush() on the caller's stream",
    ),
    dict(
        name="save-to-stream-closes",
        clauses=("E1",),
        origin="plausible: save_to_stream() closing a stream it does not own",
        description="save_to_stream() closes the caller's stream",
    ),
    dict(
        name="load-from-stream-rewinds",
        clauses=("E1",),
        origin="plausible: load_from_stream() as a peek that seeks back",
        description="load_from_stream() seeks the caller's stream back to where it started",
    ),
    dict(
        name="save-makes-group-writable-directory",
        clauses=("E7",),
        origin="plausible: a shared team cache directory (mode 0o770)",
        description="save() creates missing directories group-writable",
    ),
    dict(
        name="save-makes-group-writable-file",
        clauses=("E7",),
        origin="plausible: a shared team cache file (mode 0o664)",
        description="save() leaves the cache file group-writable",
    ),
    dict(
        name="facade-copy-shares-handle",
        clauses=("E9",),
        origin="plausible: a cheap RuntimeCache.__copy__",
        description="copy.copy of a facade shares the original's handle",
    ),
    dict(
        name="save-gives-up-on-lock",
        clauses=("E6",),
        origin="plausible: FileLock(timeout=0)",
        description="save() raises filelock.Timeout at once while another process holds the lock",
    ),
    dict(
        name="save-keeps-backup",
        clauses=("E10",),
        origin="plausible: a save that keeps the previous file as <path>.bak",
        description="save() leaves <path>.bak in the caller's directory",
    ),
    dict(
        name="load-registers-atexit",
        clauses=("E5",),
        origin="plausible: an at-exit clean-up of the lock file",
        description="load() registers one more at-exit hook per call",
    ),
    dict(
        name="save-leaves-thread",
        clauses=("E2",),
        origin="plausible: a background sync thread",
        description="save() leaves a thread running",
    ),
    dict(
        name="load-leaks-fd",
        clauses=("E3",),
        origin="plausible: os.open without close",
        description="load() leaks the cache file's descriptor",
    ),
    dict(
        name="deserialize-clears-caller-tensor",
        clauses=("E8",),
        origin="plausible: a deserialize() that frees the caller's staging buffer",
        description="python handle: deserialize() zeroes the caller's tensor after copying it",
    ),
    dict(
        name="save-sets-umask",
        clauses=("E4",),
        origin="plausible: a private umask for the cache's files, never restored",
        description="save() changes the process umask",
    ),
    dict(
        name="path-keeps-caller-pathlike",
        clauses=("E11",),
        origin="torch-tensorrt 2.14.0: the handle keeps the path as given, so RuntimeCache(pathlib.Path(p)).path is a PosixPath (annotated -> str)",
        description="RuntimeCache(pathlib.Path(p)).path returns the caller's Path, where the reference returns str",
    ),
)
