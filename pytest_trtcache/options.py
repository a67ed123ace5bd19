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
        help="implementation under test: reference (default), module:<dotted.path>, mutant:<name>. Env: TRTCACHE_TARGET.",
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
