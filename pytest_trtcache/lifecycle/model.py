"""The model: the contract's view of each handle and facade, and of the files it saves.

Pure python; expected bytes always come from the reference's wire format
(``kernels.encode``), never from re-running the target.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Iterable, Optional

from pytest_trtcache.reference.kernels import decode, encode


@dataclass
class Model:
    """The contract's view of one handle or facade (pure python)."""

    kind: str
    path: str
    pending: bytes = b""  # H1: bytes stashed before materialization
    entries: Optional[dict[bytes, bytes]] = None  # None: pending state
    drained: dict[bytes, bytes] = field(default_factory=dict)  # entries that came from pending bytes
    dead: bool = False
    loaded: bool = False  # made by pickle / deepcopy (H5, F2 attribute failures to it)
    autosave: bool = False
    registered: bool = False  # an at-exit hook is armed for it
    saves: int = 0  # saves not made by the machine itself (autosave, CM exit)
    cm: bool = False  # the runtime_cache() context manager's facade

    @property
    def state(self) -> str:
        return "dead" if self.dead else ("materialized" if self.entries is not None else "pending")

    def blob(self) -> bytes:
        """What ``serialize()`` returns: live entries, else the pending bytes (H9)."""
        return encode(self.entries) if self.entries is not None else self.pending

    def deserialize(self, blob: bytes) -> None:
        if not blob:
            return  # H4
        if self.entries is None:
            self.pending = blob  # pending bytes are replaced, as upstream's handle does
        else:
            self.entries.update(decode(blob))

    def materialize(self) -> int:
        """Returns how many live caches the config must have created (H2: once)."""
        if self.entries is not None:
            return 0
        self.drained = decode(self.pending)
        self.entries, self.pending = dict(self.drained), b""
        return 1

    def loaded_copy(self) -> "Model":
        """What pickle / deepcopy gives: pending with the bytes, flag carried (H5, F2)."""
        return Model(kind=self.kind, path=self.path, pending=self.blob(), loaded=True, autosave=self.autosave, registered=self.autosave)


class World:
    """The model of everything: objects by label and the files the machine watches."""

    def __init__(self) -> None:
        self.objects: dict[str, Model] = {}
        self.files: dict[str, bytes] = {}
        # files whose expected bytes a *pending* object saved: that a pending save writes
        # its pending bytes at all is H9's promise, so a mismatch there is H9's verdict
        self.pending_writes: set[str] = set()
        # directories the machine made hostile: "broken" (a file now stands where the
        # directory was: every save there fails) or "shared" (writable by others, X2)
        self.dir_state: dict[str, str] = {}
        # reports (a warning or log record) the current step must produce: (clause, why)
        self.reports_due: list[tuple[str, str]] = []
        # paths a save into a shared directory may have written or not (refused or reported)
        self.either: dict[str, set[Optional[bytes]]] = {}

    def autosave(self, m: Model) -> None:
        """``_autosave_if_enabled``: one save, flag off, only with a path (A1, A3, A4)."""
        if m.autosave and m.path:
            m.autosave = False
            m.saves += 1
            self.save(m, m.path)

    def save(self, m: Model, path: str) -> None:
        state = self.dir_state.get(os.path.dirname(path)) if path else None
        if path and m.blob() and state == "broken":  # the save fails: reported (A9), nothing written
            self.reports_due.append(("A9", f"a failed save to {os.path.basename(path)} (its directory is now a file)"))
            return
        if path and m.blob() and state == "shared":  # refused or reported, written or not (X2)
            self.reports_due.append(("X2", f"a save to {os.path.basename(path)} in a directory others can write"))
            self.either.setdefault(path, {self.files.get(path)}).add(m.blob())
            return
        if path and m.blob():  # S1, S2: nothing to save touches nothing
            self.files[path] = m.blob()
            if m.entries is None:
                self.pending_writes.add(path)
            else:
                self.pending_writes.discard(path)

    def saw(self, path: str, content: Optional[bytes]) -> None:
        """Take a file as it is on disk (``None``: absent), after a step whose outcome the
        contract leaves open or a known gap let differ."""
        if content is None:
            self.files.pop(path, None)
        else:
            self.files[path] = content

    def live(self, kind: Optional[str] = None) -> Iterable[tuple[str, Model]]:
        return [(k, m) for k, m in self.objects.items() if not m.dead and (kind is None or m.kind == kind)]
