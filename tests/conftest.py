"""The plugin's own tests. ``pytester`` drives pytest in-process or in a subprocess."""

from __future__ import annotations

pytest_plugins = ["pytester"]
