"""Parsers of --trtcache-level and --trtcache-known-gaps."""

from __future__ import annotations

import argparse

import pytest

from pytest_trtcache.plugin.known_gaps import parse
from pytest_trtcache.plugin.options import gated_levels


@pytest.mark.parametrize(
    ("value", "expected"),
    [("all", {"required", "extension", "security"}), ("required", {"required"}), ("extension", {"required", "extension"}), ("security, extension", {"required", "extension", "security"})],
)
def test_levels_parse_with_required_always_gated(value, expected) -> None:
    assert gated_levels(value) == expected


@pytest.mark.parametrize("value", ["", "optional", "all,required"])
def test_bad_levels_name_the_value(value) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=f"bad level {value!r}"):
        gated_levels(value)


@pytest.mark.parametrize("line", ["Z1", "H9 python extra", "h9"])
def test_bad_known_gap_lines_are_rejected_with_the_line(tmp_path, line) -> None:
    path = tmp_path / "gaps"
    path.write_text(line + "\n")
    with pytest.raises(ValueError, match=f"^{path}:1: "):
        parse(str(path))
