"""The contract clauses: the single source of truth for ``CLAUSES.md``.

IDs are stable once published (a vendor's known-gaps file names them). Levels:
``required`` = the contract of the fixed upstream cache (both seeds); ``extension`` =
what a careful implementation also guarantees; ``security`` = what protects a user on a
shared machine. ``python -m pytest_trtcache.contract.spec > CLAUSES.md`` regenerates the list;
``tests/test_spec.py`` fails when the two differ.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

LEVELS = ("required", "extension", "security")


@dataclass(frozen=True)
class Clause:
    id: str
    level: str
    contract: str

    @property
    def family(self) -> str:
        return self.id.rstrip("0123456789")


FAMILIES = {
    "H": "handle (each runtime)",
    "F": "facade pickling",
    "W": "wrapper module",
    "A": "autosave",
    "S": "save and load",
    "X": "security",
    "C": "cross-runtime",
    "E": "effects a caller sees beyond the cache (the reference as oracle)",
}

_R, _E, _S = LEVELS

CLAUSES: tuple[Clause, ...] = (
    Clause("H1", _R, "`deserialize` before materialization stashes the bytes and never loses them: materialization drains them into the live cache and a pickle carries them."),
    Clause("H2", _R, "`ensure_materialized` creates the live cache once, drains pending bytes into it, and is idempotent."),
    Clause("H3", _R, "N threads sharing one handle materialize it concurrently: one creation, no lost bytes."),
    Clause("H4", _R, "`deserialize` of an empty tensor is a no-op in every state."),
    Clause("H5", _R, "a handle pickles as `(path, bytes)` in the empty, pending and materialized states; the loaded handle is pending, holds those bytes, has a fresh lock and no live cache."),
    Clause("H6", _R, "`copy.deepcopy` of a handle behaves like a pickle round trip."),
    Clause("H7", _E, "python and cpp handles give byte-identical observations for the same operation sequence."),
    Clause("H8", _E, "`deserialize` accepts any uint8 tensor layout (non-contiguous, sliced, on another device) and rejects other dtypes with a clear error instead of reinterpreting memory."),
    Clause("H9", _E, "`serialize()` before materialization returns the pending bytes in every runtime, so `save()` and `save_to_stream()` persist them in the pending window."),
    Clause("H10", _E, "the bytes a caller hands in (the tensor given to `deserialize()`, the stream given to `load_from_stream()`, the file given to `load()`) are copied before the call returns: overwriting or freeing them afterwards leaves the cache unchanged."),
    Clause("H11", _R, "`serialize()` returns bytes the caller owns, in every state: writing into the returned tensor (or into an earlier call's) leaves the cache and later results unchanged."),
    Clause("F1", _R, "`RuntimeCache(autosave_on_del=True)` pickles; the unpicklable at-exit token is not in the stream."),
    Clause("F2", _R, "unpickling re-arms exactly one fresh at-exit hook when autosave was on, none when off."),
    Clause("F3", _E, "a facade pickled under one runtime loads under the other runtime (the stream does not pin the saver's handle class)."),
    Clause("F4", _R, "`copy.deepcopy` of a facade behaves like a pickle round trip: a distinct facade with the same path, bytes and `autosave_on_del` and a handle of its own (changes to the copy never reach the original), with one fresh at-exit hook when autosave was on."),
    Clause("W1", _R, "pickling / `torch.save` of the engine wrapper drops `_runtime_settings` and `_implicit_cache_handle`."),
    Clause("W2", _R, "loading restores the default runtime settings with no cache (`RuntimeSettings(runtime_cache=None)`, as upstream's `__setstate__`) and no implicit handle, in every runtime pair."),
    Clause("A1", _R, "an engine-implicit handle that survives to interpreter exit is saved by the at-exit hook; the file holds exactly `serialize()` bytes."),
    Clause("A2", _R, "nothing reaches `sys.unraisablehook` or prints `Exception ignored in` at any point, shutdown included."),
    Clause("A3", _R, "a handle collected mid-program saves through `__del__` and unregisters its at-exit token."),
    Clause("A4", _R, "across `__del__` and the at-exit hook, exactly one save happens per handle."),
    Clause("A5", _R, "the at-exit hook holds only a weak reference; with the handle gone it does nothing."),
    Clause("A6", _R, "a user-built handle does not autosave unless asked."),
    Clause("A7", _R, "`__del__` of a partially constructed handle (crashed `deepcopy`, failed `__init__`) is silent."),
    Clause("A8", _R, "the `runtime_cache()` context manager saves exactly once on exit (never with `autosave=False`), its handle never autosaves, and a failing save on exit does not mask the user's exception."),
    Clause("A9", _E, "a failed autosave is reported (a logged warning), never silently lost."),
    Clause("A10", _R, "`runtime_cache()` attaches its cache to every engine under any of its targets (a list may start with a module that holds none), and on leaving it every engine gets back the runtime settings it had on entry, whether the block raised or not and whether the save on exit failed or not."),
    Clause("A11", _E, "`runtime_cache()` given a one-way stream uses only the direction it has: a write-only sink is never read and gets `serialize()` once on exit; a read-only source is read once on enter and no write is attempted (nothing reported)."),
    Clause("A12", _R, "`runtime_cache()` refuses what it cannot use before touching a file: a `path` that is neither str, `os.PathLike` nor a stream raises TypeError when called, and targets with no engine under them raise RuntimeError on entering."),
    Clause("S1", _R, "`save()` with nothing to serialize leaves an existing file untouched and leaves no temp file."),
    Clause("S2", _R, "`load()` of a missing file or an empty path is a no-op; `save()` to an empty path is a no-op."),
    Clause("S3", _R, "bytes loaded from a stream reach the cache (visible after materialization), read to its end however short its reads; `save_to_stream()` writes exactly `serialize()`; the counts returned are the bytes moved."),
    Clause("S4", _E, "a save interrupted at any point (exception, SIGKILL) leaves the target either the old or the new complete file, and no temp file behind."),
    Clause("S5", _E, "concurrent savers in several processes leave one complete blob, never an interleaving."),
    Clause("S6", _E, "a corrupt, truncated or foreign cache file gives a clear error or a clean cold start, never a crash, and is not overwritten with garbage."),
    Clause("S7", _R, "`save()` to a path whose directory does not exist creates the missing directories (their owner can read, write and enter them) and writes the file; a bare file name is saved into the working directory."),
    Clause("S8", _R, "`load()` of an existing, empty file is a no-op: no error, the handle keeps what it held (pending bytes or live cache), the file is left as it is."),
    Clause("X1", _S, "`save()` never writes through (or truncates) a file behind a symlink planted at the temp path, the lock path or the target."),
    Clause("X2", _S, "a cache directory that another user can write to is refused or reported, not trusted."),
    Clause("C1", _R, "for every (saver, loader) runtime pair and every channel (handle pickle, facade pickle, wrapper `torch.save`, cache file, at-exit autosave file, stream), what the loader observes equals what the reference predicts, for blobs of any size."),
    Clause("C2", _R, "neither side of a pair leaks an unraisable exception, in-process or at shutdown."),
    Clause("E1", _E, "`save_to_stream()` and `load_from_stream()` touch the caller's stream only by the bytes they move: its position advances by the count returned, its contents change only by what `save_to_stream()` writes, and it is never closed, flushed, seeked or truncated."),
    Clause("E2", _E, "a call leaves no thread running that it started."),
    Clause("E3", _E, "a call leaves no file descriptor open that it opened."),
    Clause("E4", _E, "a call leaves the process's working directory, umask and environment variables as it found them."),
    Clause("E5", _E, "a call registers the at-exit hooks the reference registers and no more: one per autosaving facade, none for anything else."),
    Clause("E6", _E, "`save()` and `load()` wait for the cache's file lock while another process holds it for a moment, as the reference does, instead of failing at once."),
    Clause("E7", _S, "every file and directory a call creates has the reference's permission bits (group and others' read and search bits aside, a declared freedom): nothing `save()` creates is writable by group or others."),
    Clause("E8", _E, "a tensor a caller passes to `deserialize()` is left unchanged, in every state."),
    Clause("E9", _E, "`copy.copy` of a facade or of a python handle is independent of its original, as a deep copy and a pickle round trip of either are: a change to one never reaches the other."),
    Clause("E10", _E, "a call leaves in the sandbox only the files the reference leaves there (the cache file and its lock file), with the reference's bytes: no backup, marker or temp file."),
    Clause("E11", _E, "every public call returns what the reference returns for the same sequence: a value of the same type and value, or an exception of the same type (its message is free)."),
)

# Why each E clause is a clause: the upstream line that shows the promise, or why it is
# an extension or security clause (rendered under the clause in CLAUSES.md). The
# differential oracle (pytest_trtcache/differential/) checks them all.
REASONS: dict[str, str] = {
    "E1": "upstream touches the stream only by `data = stream.read()` (py:298) and `stream.write(data)` (py:311-317); the stream is the caller's (a socket, a pipe, a shared buffer), and what it does with it next relies on its position and state",
    "E2": "upstream starts no thread; a thread left behind outlives the call that started it, races with interpreter shutdown, and a non-daemon one keeps the process from exiting",
    "E3": "upstream keeps no file open past a call; descriptors are a per-process budget that a long-running server exhausts one leaked load at a time",
    "E4": "upstream changes none of them; they are process-wide, and every other thread and library of the process relies on them",
    "E5": "upstream registers one hook per autosaving facade (`atexit.register(partial(_autosave_at_exit, weakref.ref(self)))` py:414) and unregisters it in `__del__`; more hooks grow the registry for the life of the process and run at exit",
    "E6": "upstream acquires `FileLock(target + \".lock\")` with a 10 s timeout (py:48, 333, 354): two processes saving at exit queue up, and a save that gives up at once loses the cache",
    "E7": "security: a cache file or directory that another user can write to lets them plant a poisoned blob or a symlink (what X2 refuses to trust); upstream's `os.makedirs` and `open()` give the umask's bits, never wider",
    "E8": "the tensor is the caller's: a deserialize copies what it needs (H10) and has no reason to write into it; a caller reuses a staging buffer or hands the same tensor to several handles",
    "E9": "a copy that shares its original's handle is two facades saving one cache; upstream's `copy.copy` does share it (docs/contract.md), so this is an extension: the reference's copy is independent, as its pickle is",
    "E10": "the caller's directory holds what they asked for: the cache and its lock file (upstream's `FileLock` leaves it); a backup, marker or stray temp file is clutter a caller never asked for, and S4 already forbids a temp left by a failed save",
    "E11": "the reference passes every clause; any other return value or exception type for the same call sequence is a behaviour a caller of the reference would not get, found before it becomes a bug report",
}
assert set(REASONS) == {c.id for c in CLAUSES if c.family == "E"}



@dataclass(frozen=True)
class Freedom:
    """Where an implementation may differ from the reference, and why (the differential
    oracle, pytest_trtcache/differential/, compares everything else)."""

    what: str
    reason: str


# Group and others' read and search bits of what a save creates: a runtime cache is no
# secret, and upstream's ``open()`` / ``os.makedirs`` give 0o644 / 0o755 under umask 022
# where the reference's ``mkstemp`` / ``mode=0o700`` give 0o600 / 0o700.
FREE_MODE_BITS = 0o055

FREEDOMS: tuple[Freedom, ...] = (
    Freedom("an exception's message", "only its type is part of the contract: the text is for people and differs between versions and runtimes"),
    Freedom("a temp file's name, and its existence while a save runs", "the oracle looks between calls; S4 and X1 judge the temp file, whose name is the implementation's"),
    Freedom("group and others' read and search bits of a created file or directory", "a runtime cache holds no secret; write bits are compared (E7)"),
    Freedom("the class, module and repr() of a facade or handle", "the oracle compares what one holds and does (its path, its bytes, a copy's independence), never its class's name; a value a call returns is compared by type and value (E11)"),
    Freedom("`copy.copy` of a C++ (torchbind) handle", "torch's `ScriptObject.__copy__` wraps the same C++ object, which no torchbind class can change; the handle's deep copy and pickle, and every facade copy, are compared (E9)"),
    Freedom("a thread, descriptor or at-exit hook alive before the step", "only what the step itself leaves behind is compared"),
)

BY_ID: dict[str, Clause] = {c.id: c for c in CLAUSES}


def get(clause_id: str) -> Clause:
    try:
        return BY_ID[clause_id]
    except KeyError:
        raise KeyError(f"unknown clause {clause_id!r} (known: {', '.join(BY_ID)})") from None


def markdown() -> str:
    lines = [
        "# Contract clauses",
        "",
        "Generated from `pytest_trtcache/contract/spec.py` by `python -m pytest_trtcache.contract.spec > CLAUSES.md`; edit the spec, not this file.",
        "IDs are stable once published. `required` = the contract of the fixed upstream cache (both seeds);",
        "`extension` = what a careful implementation also guarantees; `security` = what protects a user on a shared machine.",
    ]
    for family, title in FAMILIES.items():
        lines += ["", f"## {family}: {title}"]
        for c in CLAUSES:
            if c.family == family:
                lines.append(f"- {c.id} {c.level}: {c.contract}")
                if c.id in REASONS:
                    lines.append(f"  Why: {REASONS[c.id]}.")
    lines += ["", "## Declared freedoms", "Where an implementation may differ from the reference (E1-E11 compare everything else):"]
    lines += [f"- {f.what}: {f.reason}." for f in FREEDOMS]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown())
