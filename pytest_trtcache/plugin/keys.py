"""``config.stash`` keys shared by the plugin's modules."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_trtcache.targets.base import Target

TARGET_KEY = pytest.StashKey[Target]()
PROFILE_KEY = pytest.StashKey[str]()  # hypothesis profile of the lifecycle machines

#: the spawner of this pytest process (set when a child was first needed)
SPAWNER_KEY = pytest.StashKey[Any]()
