"""The contract clauses: the single source of truth for ``CLAUSES.md``.

IDs are stable once published (a vendor's known-gaps file names them). Levels:
``required`` = the contract of the fixed upstream cache (both seeds); ``extension`` =
what a careful implementation also guarantees; ``security`` = what protects a user on a
shared machine. ``python -m pytest_trtcache.contract.spec > CLAUSES.md`` regenerates the list and
``python -m pytest_trtcache.contract.spec --readme README.md`` the README's table;
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
        lines += [f"- {c.id} {c.level}: {c.contract}" for c in CLAUSES if c.family == family]
    return "\n".join(lines) + "\n"


README_START, README_END = "<!-- clauses:start -->", "<!-- clauses:end -->"


def readme_table() -> str:
    rows = ["| id | level | contract |", "|---|---|---|"]
    rows += [f"| {c.id} | {c.level} | {c.contract.replace('|', '/')} |" for c in CLAUSES]
    return "\n".join(rows)


def with_readme_table(readme: str) -> str:
    """``readme`` with the block between the clause markers regenerated."""
    head, _, rest = readme.partition(README_START)
    _, _, tail = rest.partition(README_END)
    return f"{head}{README_START}\n{readme_table()}\n{README_END}{tail}"


if __name__ == "__main__":
    if sys.argv[1:2] == ["--readme"]:
        path = sys.argv[2]
        with open(path, encoding="utf-8") as f:
            text = with_readme_table(f.read())
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(markdown())
