"""Rules: handles made, copied and dropped (H5, H6); what any object goes through is in
``object_rules.py``."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import consumes, rule

from pytest_trtcache.lifecycle.base import MachineBase
from pytest_trtcache.lifecycle.model import Model
from pytest_trtcache.lifecycle.strategies import HANDLE, handles


class HandleRules(MachineBase):
    """Create, pickle, deepcopy and drop handles."""

    @rule(target=handles, with_path=st.booleans())
    def create_handle(self, with_path: bool) -> str:
        self.begin(f"create_handle(with_path={with_path})")
        path = self.path_for(with_path)
        return self.new_label(HANDLE, self.runtime.new_handle(path), Model(HANDLE, path))

    @rule(target=handles, obj=handles)
    def pickle_handle(self, obj: str) -> str:
        self.begin(f"pickle round trip of {obj}")
        return self.copy_of(obj, "pickle")

    @rule(target=handles, obj=handles)
    def deepcopy_handle(self, obj: str) -> str:
        self.begin(f"copy.deepcopy({obj})")
        return self.copy_of(obj, "deepcopy")

    @rule(obj=consumes(handles))
    def drop_handle(self, obj: str) -> None:
        self.begin(f"del {obj}; gc.collect()")
        self.drop_label(obj)
