"""Rules: files and streams (S1-S4)."""

from __future__ import annotations

import contextlib
import io
import os
from typing import Optional

from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from pytest_trtcache.contract.faults import Injector, inject
from pytest_trtcache.lifecycle.base import MachineBase, read_file, temp_files
from pytest_trtcache.lifecycle.strategies import FACADE, facades


class FileRules(MachineBase):
    """Explicit saves (interrupted at a file-system event too), loads, stream copies."""

    @precondition(lambda self: "S4" not in self.quiet and any(m.kind == FACADE and m.blob() for _, m in self.world.live()))
    @rule()
    def save_interrupted_at_every_event(self) -> None:
        """S4 where it bites: the newest facade with bytes to save, saved again and again,
        each save failing at its next file-system event, until one runs to its end (a drawn
        ``save_to_file(interrupt=n)`` often has nothing to save, or misses the events that
        leave a temp file)."""
        label = next(lb for lb, m in reversed(list(self.world.live(FACADE))) if m.blob())
        at = 0
        while not self.save_interrupted(label, at):
            at += 1

    @rule(obj=facades, interrupt=st.one_of(st.none(), st.integers(0, 4)))
    def save_to_file(self, obj: str, interrupt: Optional[int]) -> None:
        """An explicit save; ``interrupt``: the save raises at that file-system event of
        its own (``pytest_trtcache.contract.faults``), as a full disk or a crash would (S4)."""
        self.save_interrupted(obj, interrupt)

    def save_interrupted(self, obj: str, interrupt: Optional[int]) -> bool:
        """``save_to_file``'s step; whether the save ran to its end (the fault point, if
        any, lay past its last file-system event)."""
        if "S4" in self.quiet:
            interrupt = None  # a temp file left behind would show later, as S1
        self.begin(f"{obj}.save(explicit.bin)" + (f" failing at its file-system event #{interrupt}" if interrupt is not None else ""))
        m, injector = self.world.objects[obj], Injector(self.tmp, at=interrupt)
        old = self.world.files.get(self.explicit_path)
        with self.saves.by_machine():
            if interrupt is None:
                self.objects[obj].save(self.explicit_path)
            else:
                with inject(injector), contextlib.suppress(OSError):  # the fault, passed on or wrapped
                    self.objects[obj].save(self.explicit_path)
        if interrupt is None or len(injector.events) <= interrupt:
            self.world.save(m, self.explicit_path)  # the fault point was never reached
            return True
        event = "%s %s" % injector.events[interrupt]
        on_disk, new = read_file(self.explicit_path), (m.blob() or old)
        self.expect("S4", f"temp files left by a save interrupted at {event}", temp_files(self.tmp), [])
        if on_disk == new and on_disk != old:
            self.world.save(m, self.explicit_path)
        elif on_disk != old:
            self.expect("S4", f"explicit.bin after a save interrupted at {event}: the old complete file (or the new one)", on_disk, new)
            self.world.saw(self.explicit_path, on_disk)  # a known gap: judge what follows on what is there
        return False

    @rule(obj=facades)
    def load_from_file(self, obj: str) -> None:
        self.begin(f"{obj}.load(explicit.bin)")
        missing = not os.path.exists(self.explicit_path)
        with self.check("S2" if missing else "S3").no_exception("load() of " + ("a missing file (a first run)" if missing else "explicit.bin")):
            self.objects[obj].load(self.explicit_path)
        # The file as it is: the invariants already compared it with the model after
        # the save, and a known gap may have let it differ since.
        on_disk = read_file(self.explicit_path)
        self.world.saw(self.explicit_path, on_disk)
        self.world.objects[obj].deserialize(on_disk or b"")

    @rule(src=facades, dst=facades)
    def stream_copy(self, src: str, dst: str) -> None:
        self.begin(f"{src}.save_to_stream(buf); {dst}.load_from_stream(buf)")
        blob, buf = self.world.objects[src].blob(), io.BytesIO()
        with self.saves.by_machine():
            written = self.objects[src].save_to_stream(buf)
        # While pending, "writes the pending bytes" is H9's promise; S3's is "writes
        # exactly serialize()", which a pending-empty serialize() keeps.
        clause = "H9" if self.world.objects[src].entries is None else "S3"
        self.expect(clause, "bytes save_to_stream() wrote", buf.getvalue(), blob)
        self.expect(clause, "count save_to_stream() returned", written, len(blob))
        # From here on, the stream's actual bytes: a known gap above may have let them
        # differ from the model's, and the load must be judged on what it was given.
        moved = buf.getvalue()
        read = self.objects[dst].load_from_stream(io.BytesIO(moved))
        self.expect("S3", "count load_from_stream() returned", read, len(moved))
        self.world.objects[dst].deserialize(moved)
