"""Rules on any object, a handle or a facade's handle (H1-H4, H8, H9): deserialize (any
layout, a wrong dtype, a blob of a boundary size), materialize (from threads too), add
kernels, serialize.

Each draws its object from ``objects`` (handles | facades): in a machine that makes one
kind, the other bundle stays empty and hypothesis draws from the filled one.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from pytest_trtcache.contract.sizes import sized
from pytest_trtcache.lifecycle.base import THREAD_TIMEOUT_S, MachineBase, together
from pytest_trtcache.lifecycle.strategies import BLOB_SIZES, LAYOUTS, THREADS, WRONG_DTYPES, entries_strategy, made_any, objects
from pytest_trtcache.reference.kernels import encode
from pytest_trtcache.targets.base import PENDING_BYTES, NotObservable, bytes_of, layout_of, tensor_of


class ObjectRules(MachineBase):
    """What any object goes through, in every machine."""

    @precondition(made_any)
    @rule(obj=objects, entries=entries_strategy, layout=st.sampled_from(LAYOUTS))
    def deserialize(self, obj: str, entries: dict[bytes, bytes], layout: str) -> None:
        if layout not in ("contiguous", "empty") and "H8" in self.quiet:
            layout = "contiguous"  # a layout read wrongly would show later, as H1 or H2
        self.begin(f"deserialize({obj}, layout_of(encode({entries!r}), {layout!r}))")
        blob, m, handle = (b"" if layout == "empty" else encode(entries)), self.world.objects[obj], self.handle(obj)
        with self.check("H4" if layout == "empty" else "H8").no_exception(f"deserialize of a {layout} uint8 tensor"):
            handle.deserialize(layout_of(blob, layout))
        m.deserialize(blob)
        if layout == "empty":  # H4 at once: nothing changed
            if m.entries is not None:
                self.expect("H4", "serialize() after deserializing an empty tensor", bytes_of(handle.serialize()), m.blob())
            return
        if layout == "contiguous":
            return
        # H8 at once: a layout read wrongly shows here, not later as a lost entry
        if m.entries is not None:
            self.expect("H8", f"serialize() after deserializing a {layout} tensor", bytes_of(handle.serialize()), m.blob())
        else:
            try:
                self.expect("H8", f"pending bytes after deserializing a {layout} tensor", bytes(self.runtime.observe(PENDING_BYTES, handle) or b""), m.pending)
            except NotObservable as exc:
                self.unobserved(exc)

    @precondition(lambda self: any(m.entries is None and m.pending for _, m in self.world.live()))
    @rule()
    def deserialize_empty_while_pending(self) -> None:
        """H4 where it bites: an empty tensor into the newest object that holds pending
        bytes. A drawn ``deserialize(layout="empty")`` rarely meets one (most objects are
        materialized by then); the invariants compare the pending bytes right after."""
        label = next(lb for lb, m in reversed(list(self.world.live())) if m.entries is None and m.pending)
        self.begin(f"deserialize({label}, layout_of(b'', 'empty')) [pending]")
        with self.check("H4").no_exception("deserialize of an empty uint8 tensor"):
            self.handle(label).deserialize(layout_of(b"", "empty"))

    @precondition(made_any)
    @rule(obj=objects, size=st.sampled_from(BLOB_SIZES))
    def deserialize_blob_of_size(self, obj: str, size: int) -> None:
        """A blob at a size where length fields and chunked copies break (C1's sizes); the
        invariants then follow it through materialization, pickles, saves and streams."""
        self.begin(f"deserialize({obj}, tensor_of(sized({size})))")
        blob = sized(size)
        with self.check("H1").no_exception(f"deserialize of a {size}-byte blob"):
            self.handle(obj).deserialize(tensor_of(blob))
        self.world.objects[obj].deserialize(blob)

    @precondition(lambda self: "H8" not in self.quiet)  # accepted garbage leaves no model to follow
    @precondition(made_any)
    @rule(obj=objects, dtype=st.sampled_from(WRONG_DTYPES))
    def deserialize_wrong_dtype(self, obj: str, dtype: str) -> None:
        import torch

        self.begin(f"deserialize({obj}, torch.zeros(8, dtype=torch.{dtype})) [{self.world.objects[obj].state}]")
        try:
            self.handle(obj).deserialize(torch.zeros(8, dtype=getattr(torch, dtype)))
        except Exception as exc:  # any clear error will do; it must say why
            text = f"{type(exc).__name__}: {exc}"
            self.expect("H8", f"the error to name the dtype, uint8 or bytes (got {text})", any(w in text.lower() for w in ("uint8", "dtype", "byte")), True)
        else:
            self.expect("H8", f"deserialize of a {dtype} tensor", "accepted (its memory taken as cache bytes)", "a clear error")

    @precondition(made_any)
    @rule(obj=objects, threads=st.sampled_from(THREADS))
    def materialize(self, obj: str, threads: int) -> None:
        self.begin(f"materialize({obj})" + (f" from {threads} threads at once" if threads > 1 else ""))
        config = self.runtime.new_runtime_config()
        if threads == 1:
            self.runtime.materialize(self.handle(obj), config)
        else:
            self.materialize_concurrently(self.handle(obj), config, threads)
        created = self.world.objects[obj].materialize()
        if self.runtime.materializes_with_config and hasattr(config, "created"):
            self.expect("H3" if threads > 1 else "H2", "live caches the config created", config.created, created)

    @precondition(lambda self: any(m.entries is None for _, m in self.world.live()))
    @rule()
    def materialize_pending_from_threads(self) -> None:
        """H3 where it bites: the newest object still pending, materialized from four
        threads at once (a drawn ``materialize(threads=4)`` often meets an object already
        materialized, where the race has nothing left to lose)."""
        self.materialize(next(lb for lb, m in reversed(list(self.world.live())) if m.entries is None), 4)

    def materialize_concurrently(self, handle: Any, config: Any, threads: int) -> None:
        """H3: ``threads`` threads released together; a slow ``create_runtime_cache``
        widens the check-then-create window an unlocked handle would lose."""
        create = getattr(config, "create_runtime_cache", None)
        if create is not None:

            def slow_create(*args: Any, **kwargs: Any) -> Any:
                time.sleep(0.005)
                return create(*args, **kwargs)

            with contextlib.suppress(AttributeError, TypeError):
                config.create_runtime_cache = slow_create
        hung, errors = together([lambda: self.runtime.materialize(handle, config)] * threads)
        self.expect("H3", f"threads still materializing after {THREAD_TIMEOUT_S:g} s (a deadlock)", hung, 0)
        self.expect("H3", "exceptions in the materializing threads", errors, [])

    @precondition(made_any)
    @rule(obj=objects, entries=entries_strategy)
    def add_kernels(self, obj: str, entries: dict[bytes, bytes]) -> None:
        self.run_kernels(obj, entries)

    @precondition(made_any)
    @rule(obj=objects)
    def serialize(self, obj: str) -> None:
        m = self.world.objects[obj]
        self.begin(f"serialize({obj}) [{m.state}]")
        clause = "H9" if m.entries is None else "H2"
        self.expect(clause, f"serialize() of a {m.state} {m.kind}", bytes_of(self.handle(obj).serialize()), m.blob())
