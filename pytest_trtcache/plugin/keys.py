"""``config.stash`` keys shared by the plugin's modules."""

from __future__ import annotations

from typing import Any, Optional

import pytest

from pytest_trtcache.targets.base import Target

#: whether the plugin is in use in this run (``plugin.in_use``)
ACTIVE_KEY = pytest.StashKey[bool]()
TARGET_KEY = pytest.StashKey[Target]()
#: the peer target of cross-target pairs, None without ``--trtcache-peer``
PEER_KEY = pytest.StashKey[Optional[Target]]()
#: name of the registered hypothesis profile the suite's machines take as their parent
PROFILE_KEY = pytest.StashKey[str]()
#: the known-gaps file's entries (``known_gaps.Gap``), parsed once (empty without one)
KNOWN_GAPS_KEY = pytest.StashKey[tuple]()

#: where each option's value came from, by dest (``plugin.option_sources``)
SOURCES_KEY = pytest.StashKey[dict]()

#: the spawner of this pytest process (set when a child was first needed)
SPAWNER_KEY = pytest.StashKey[Any]()
