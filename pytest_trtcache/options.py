"""Every command-line option and ini value of the plugin, with their parsers.

Option strings are constants so tests import them. Parsers raise
``argparse.ArgumentTypeError`` with a message naming the bad value.
"""

from __future__ import annotations

import argparse
import os

GROUP = "trtcache"
TARGET = "--trtcache-target"
CLAUSE = "--trtcache-clause"
REPORT = "--trtcache-report"
SPAWN = "--trtcache-spawn"
TIMEOUT = "--trtcache-timeout"
PEER = "--trtcache-peer"
SPAWN_MODES = ("auto", "fork", "exec")
LEVEL = "--trtcache-level"
KNOWN_GAPS = "--trtcache-known-gaps"
PROFILE = "--trtcache-profile"
EXAMPLES = "--trtcache-examples"
LIFECYCLE_CROSS = "--trtcache-lifecycle-cross"


def target_spec(value: str) -> str:
    """Parse a target string early, so a typo fails before collection."""
    from pytest_trtcache.targets import TargetError, resolve

    try:
        resolve(value)
    except TargetError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def clause_ids(value: str) -> list[str]:
    from pytest_trtcache import spec

    ids = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [i for i in ids if i not in spec.BY_ID]
    if not ids or unknown:
        raise argparse.ArgumentTypeError(f"unknown clause id(s) {', '.join(unknown) or repr(value)}; known: {', '.join(spec.BY_ID)}")
    return ids


def spawn_mode(value: str) -> str:
    if value not in SPAWN_MODES:
        raise argparse.ArgumentTypeError(f"bad spawn mode {value!r}: expected one of {', '.join(SPAWN_MODES)}")
    return value


def timeout_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"bad timeout {value!r}: expected a positive number of seconds")
    return seconds


def gated_levels(value: str) -> frozenset[str]:
    """``all`` or comma-separated levels; ``required`` is always gated."""
    from pytest_trtcache import spec

    parts = [p.strip() for p in value.split(",") if p.strip()]
    if parts == ["all"]:
        return frozenset(spec.LEVELS)
    unknown = [p for p in parts if p not in spec.LEVELS]
    if not parts or unknown:
        raise argparse.ArgumentTypeError(f"bad level {value!r}: expected all or a comma-separated subset of {', '.join(spec.LEVELS)}")
    return frozenset(parts) | {"required"}


def known_gaps_file(value: str) -> str:
    from pytest_trtcache.known_gaps import parse

    try:
        parse(value)
    except (OSError, ValueError) as exc:
        raise argparse.ArgumentTypeError(f"known-gaps file {value!r}: {exc}") from None
    return value
def profile_name(value: str) -> str:
    from pytest_trtcache.profiles import PROFILES

    if value not in PROFILES:
        raise argparse.ArgumentTypeError(f"unknown hypothesis profile {value!r}; known: {', '.join(PROFILES)}")
    return value


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return number


def add_options(parser) -> None:
    group = parser.getgroup(GROUP, "runtime-cache conformance (pytest-trtcache)")
    group.addoption(
        TARGET,
        dest="trtcache_target",
        default=None,
        type=target_spec,
        metavar="TARGET",
        help="implementation under test: reference (default), module:<dotted.path>, mutant:<name>, wheel:<requirement>, wheel:/path/to/file.whl, torch_tensorrt, or a vendor entry-point name. Env: TRTCACHE_TARGET.",
    )
    group.addoption(
        CLAUSE,
        dest="trtcache_clause",
        default=None,
        type=clause_ids,
        metavar="IDS",
        help="run only the tests of these clauses (comma-separated ids, e.g. H5,F1).",
    )
    group.addoption(
        REPORT,
        dest="trtcache_report",
        default=None,
        metavar="PATH",
        help="write a JSON report (per test: clause, level, runtime, outcome, message).",
    )
    group.addoption(
        SPAWN,
        dest="trtcache_spawn",
        default="auto",
        type=spawn_mode,
        help="how child processes start: fork (a warm server per pytest process), exec (a fresh interpreter each), auto (fork where safe; default).",
    )
    group.addoption(
        TIMEOUT,
        dest="trtcache_timeout",
        default=60.0,
        type=timeout_seconds,
        metavar="SECONDS",
        help="kill a child (and its process group) running longer than this (default 60).",
    )
    group.addoption(
        PEER,
        dest="trtcache_peer",
        default=None,
        type=target_spec,
        metavar="TARGET",
        help="a second target for cross-target pairs (target saves, peer loads, and the reverse).",
    )
    group.addoption(
        LEVEL,
        dest="trtcache_level",
        default=gated_levels("all"),
        type=gated_levels,
        metavar="LEVELS",
        help="clause levels whose failures fail the run: all (default) or a comma-separated subset of "
        "required, extension, security (required is always gated). Other failures are reported as "
        "'failed (not gated)'.",
    )
    group.addoption(
        KNOWN_GAPS,
        dest="trtcache_known_gaps",
        default=None,
        type=known_gaps_file,
        metavar="FILE",
        help="file of known gaps, one a line: CLAUSE [RUNTIME] [# reason]; matching tests are xfail(strict).",
    )
    group.addoption(
        PROFILE,
        dest="trtcache_profile",
        default=None,
        type=profile_name,
        metavar="NAME",
        help="hypothesis profile for the lifecycle state machines: trtcache-dev (default), trtcache-ci "
        "(default when the CI environment variable is set), trtcache-thorough.",
    )
    group.addoption(
        EXAMPLES,
        dest="trtcache_examples",
        default=None,
        type=positive_int,
        metavar="N",
        help="override the profile's max_examples for the lifecycle state machines.",
    )
    group.addoption(
        LIFECYCLE_CROSS,
        dest="trtcache_lifecycle_cross",
        action="store_true",
        default=False,
        help="let the lifecycle state machines send objects to a child process (slow: a fresh interpreter per send).",
    )


def target_from(config) -> str:
    from pytest_trtcache.targets import DEFAULT, ENV

    value = config.getoption("trtcache_target")
    if value:
        return value
    env = os.environ.get(ENV, "").strip()
    if env:
        try:
            return target_spec(env)
        except argparse.ArgumentTypeError as exc:
            import pytest

            raise pytest.UsageError(f"{ENV}: {exc}") from None
    return DEFAULT


def profile_from(config) -> str:
    """``--trtcache-profile``, else trtcache-ci when ``CI`` is set (as on GitHub Actions), else trtcache-dev."""
    from pytest_trtcache.profiles import CI, DEV

    value = config.getoption("trtcache_profile")
    if value:
        return value
    return CI if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no") else DEV
