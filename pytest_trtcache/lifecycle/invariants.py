"""The invariants: after every step, the target's objects, at-exit registry, saves and
files match the model."""

from __future__ import annotations

import os

from hypothesis.stateful import invariant

from pytest_trtcache.lifecycle.base import MachineBase, read_file, temp_files
from pytest_trtcache.lifecycle.strategies import FACADE
from pytest_trtcache.reference.kernels import decode
from pytest_trtcache.targets.base import ATEXIT_TOKEN, PENDING_BYTES, NotObservable, bytes_of


class Invariants(MachineBase):
    """Checked after every step (H1-H5, A1-A6, F2, S1, H9)."""

    @invariant()
    def objects_match_the_model(self) -> None:
        for label, m in self.world.live():
            handle = self.handle(label)
            observed = bool(handle.has_cache())
            self.expect("H5" if m.loaded and m.entries is None else "H2", f"{label}.has_cache()", observed, m.entries is not None)
            if m.entries is not None:
                got = bytes_of(handle.serialize())
                lost = [k for k in m.drained if k not in decode(got)] if got.startswith(b"TRTC") or not got else list(m.drained)
                self.expect("H1" if lost else "H2", f"serialize() of materialized {label}", got, m.blob())
            else:
                try:
                    pending = bytes(self.runtime.observe(PENDING_BYTES, handle) or b"")
                except NotObservable as exc:
                    self.unobserved(exc)
                else:
                    self.expect("H5" if m.loaded else "H1", f"pending bytes of {label}", pending, m.pending)

    @invariant()
    def nothing_reached_unraisablehook(self) -> None:
        leaks = self.leaks.leaks
        self.leaks.leaks = []
        self.expect("A2", "unraisable exceptions", [leak.format() for leak in leaks], [])

    @invariant()
    def one_atexit_hook_per_live_autosaving_facade(self) -> None:
        funcs = self.atexit.funcs()
        for label, m in self.world.live(FACADE):
            try:
                token = self.runtime.observe(ATEXIT_TOKEN, self.objects[label])
            except NotObservable as exc:
                self.unobserved(exc)
                break
            if token is None and not m.registered:
                continue
            clause = "F2" if m.loaded else ("A6" if not m.registered else "A1")
            self.expect(clause, f"{label}'s at-exit token in the registry", funcs.count(token) if token is not None else 0, 1 if m.registered else 0)
        for label, m in self.world.live(FACADE):
            # upstream's public flag: off once a save happened, so exactly one save happens
            self.expect("A4" if not m.loaded else "F2", f"{label}.autosave_on_del", getattr(self.objects[label], "autosave_on_del", None), m.autosave)
        expected = sum(1 for _, m in self.world.live(FACADE) if m.registered)
        self.expect("A3", "hooks in the at-exit registry (one per live autosaving facade, none for dead ones)", len(funcs), expected)
        self.expect("A3", "hooks that reached the real at-exit registry", self.atexit.real_registrations(), 0)

    @invariant()
    def saves_match_the_model(self) -> None:
        observed: dict[str, int] = {}
        self.saves.calls = [c for c in self.saves.calls if not c[1]]  # the machine's own saves are not counted
        for label, _explicit in self.saves.calls:
            self.expect("A6", "a save by an object the machine did not make", label, label or "<a facade of the machine>")
            observed[label] = observed.get(label, 0) + 1
        for label, m in self.world.objects.items():
            if m.kind != FACADE:
                continue
            got = observed.get(label, 0)
            clause = "A8" if m.cm else ("A4" if got > m.saves else ("A3" if m.dead else "A1"))
            self.expect(clause, f"saves of {label} (autosave / context-manager exit)", got, m.saves)
        for path in sorted(set(self.world.files) | {m.path for m in self.world.objects.values() if m.path} | {self.explicit_path}):
            on_disk = read_file(path)
            clause = "S1" if path == self.explicit_path else ("A8" if path == self.cm_path else "A1")
            if path in self.world.pending_writes and on_disk != self.world.files.get(path):
                clause = "H9"
            self.expect(clause, f"contents of {os.path.basename(path)}", on_disk, self.world.files.get(path))
        self.expect("S1", "temp files left in the cache directories", temp_files(self.tmp), [])
