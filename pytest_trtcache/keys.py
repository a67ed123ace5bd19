"""``config.stash`` keys shared by the plugin's modules."""

from __future__ import annotations

import pytest

from pytest_trtcache.targets.base import Target

TARGET_KEY = pytest.StashKey[Target]()
PROFILE_KEY = pytest.StashKey[str]()  # hypothesis profile of the lifecycle machines
