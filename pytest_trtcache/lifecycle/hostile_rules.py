"""Rules: the hostile world (X1, X2, A9, S5, S6): spoiled directories, bad cache files,
planted symlinks, concurrent savers."""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import multiple, precondition, rule

from pytest_trtcache.lifecycle.base import THREAD_TIMEOUT_S, MachineBase, read_file, temp_files, together
from pytest_trtcache.lifecycle.model import Model
from pytest_trtcache.lifecycle.shrink_budget import charge
from pytest_trtcache.lifecycle.strategies import BAD_FILES, CONCURRENT_BLOB, CONCURRENT_SAVERS, FACADE, KEYS, SYMLINK_AT, entries_strategy, facades
from pytest_trtcache.reference.kernels import describe_blob, encode
from pytest_trtcache.contract.reported import capture_reports


#: what one ``concurrent_saves`` costs a shrink, in machine runs beyond its own: its
#: threads queue on the target's file lock (about 125 ms with filelock's 50 ms poll)
#: where a machine run without it takes a few milliseconds. Charged, a shrink that keeps
#: replaying it stops sooner; its name sorts first, so the shrinker favours it.
CONCURRENT_SAVES_RUNS = 4


class HostileWorldRules(MachineBase):
    """What a shared machine, a crash or a careless caller does to a cache."""

    @rule(obj=facades, how=st.sampled_from(("broken", "shared")))
    def spoil_directory(self, obj: str, how: str) -> None:
        m = self.world.objects[obj]
        directory = os.path.dirname(m.path) if m.path else ""
        self.begin(f"make {obj}'s directory {how}" + ("" if directory else " (it has no path: nothing to do)"))
        if directory and directory not in self.world.dir_state:
            self.spoil(directory, how)

    @rule(target=facades, how=st.sampled_from(("broken", "shared")), entries=entries_strategy)
    def create_facade_in_spoiled_directory(self, how: str, entries: dict[bytes, bytes]) -> str:
        """An autosaving facade that ran an engine, whose directory is broken (a file
        stands there: its saves fail, A9) or writable by others (X2). Its own rule: as
        a drawn option of create_facade, hypothesis's preference for simple values
        made it too rare to meet an autosave."""
        self.begin(f"create_facade_in_spoiled_directory({how!r}, {entries!r})")
        path = self.path_for(True)
        self.spoil(os.path.dirname(path), how)
        label = self.new_label(FACADE, self.api.RuntimeCache(path, autosave_on_del=True), Model(FACADE, path, autosave=True, registered=True))
        self.run_kernels(label, entries)
        return label

    @rule(target=facades, kind=st.sampled_from(sorted(BAD_FILES)))
    def open_bad_cache_file(self, kind: str) -> Any:
        """S6: a cache over a bad file: a clear error, or a cold start that says so; the
        file stays as it was until a real save replaces it."""
        bad, path = BAD_FILES[kind], self.path_for(True)
        with open(path, "wb") as f:
            f.write(bad)
        self.world.files[path] = bad
        self.begin(f"RuntimeCache({os.path.basename(path)} holding a {kind} file).load(); materialize")
        obj, error = self.api.RuntimeCache(path), None
        with capture_reports() as reports:
            try:
                obj.load()
                self.runtime.materialize(self.runtime.handle_of(obj), self.runtime.new_runtime_config())
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
        self.expect("S6", f"the {kind} file after load()", read_file(path), bad)
        if error is not None:
            self.expect("S6", f"a clear error message (got {error!r})", len(error.split(":", 1)[-1].strip()) > 10, True)
            del obj
            gc.collect()
            self.counter += 1
            return multiple()
        if bad:
            self.expect("S6", f"a report that the {kind} file was discarded (else a silent cold start); reports: {reports.text() or 'none'}", bool(reports), True)
        return self.new_label(FACADE, obj, Model(FACADE, path, entries={}))

    @rule(obj=facades, where=st.sampled_from(SYMLINK_AT))
    def save_past_planted_symlink(self, obj: str, where: str) -> None:
        """X1: another user planted a symlink at the temp, lock or target path of a save;
        the file it points at (the victim's own) is never written."""
        directory = self.scratch_dir("x")
        path, victim = os.path.join(directory, "cache.bin"), os.path.join(self.tmp, f"victim{self.counter}.txt")
        precious = b"a file of the user's own, which the planted symlink points at\n"
        with open(victim, "wb") as f:
            f.write(precious)
        os.symlink(victim, {"temp": path + ".tmp", "lock": path + ".lock", "target": path}[where])
        m = self.world.objects[obj]
        self.begin(f"{obj}.save(x{self.counter}/cache.bin) [{m.state}] past a symlink planted at the {where} path")
        with self.saves.by_machine(), contextlib.suppress(Exception):  # refusing is allowed; writing through is not
            self.objects[obj].save(path)
        self.expect("X1", "the file the planted symlink points at", read_file(victim), precious)
        if where == "target" and m.blob() and os.path.isfile(path) and not os.path.islink(path):
            self.expect("X1", "the cache file that replaced the symlink", read_file(path), m.blob())
        shutil.rmtree(directory)
        os.unlink(victim)

    @precondition(lambda self: not self.saved_concurrently)  # once an example: a lock wait costs ~50 ms
    @rule()
    def concurrent_saves(self) -> None:
        """S5: savers in threads of this process write big blobs to one path at once;
        the file is one saver's complete blob, nobody fails, nobody hangs."""
        self.saved_concurrently = True
        charge(CONCURRENT_SAVES_RUNS)
        directory = self.scratch_dir("s")
        path = os.path.join(directory, "cache.bin")
        self.begin(f"{CONCURRENT_SAVERS} facades save {CONCURRENT_BLOB >> 10} KiB blobs to s{self.counter}/cache.bin from threads at once")
        savers, blobs = [], []
        for i in range(CONCURRENT_SAVERS):
            entries = {KEYS[0]: bytes([i + 1]) * CONCURRENT_BLOB}
            saver = self.api.RuntimeCache(path)
            handle = self.runtime.handle_of(saver)
            self.runtime.materialize(handle, self.runtime.new_runtime_config())
            self.runtime.add_kernels(handle, entries)
            savers.append(saver)
            blobs.append(encode(entries))
        with self.saves.by_machine():
            hung, errors = together([saver.save for saver in savers])
        self.expect("S5", f"savers still saving after {THREAD_TIMEOUT_S:g} s (a deadlock)", hung, 0)
        self.expect("S5", "exceptions in the saving threads", errors, [])
        final = read_file(path)
        if final not in blobs:
            self.expect("S5", "the final file: one saver's complete blob", describe_blob(final), "one of the savers' blobs")
        self.expect("S5", "temp files left by the savers", temp_files(directory), [])
        del savers
        shutil.rmtree(directory)
