"""Every command-line option and ini value of the plugin, with their parsers.

Option strings are constants so tests import them. Parsers raise
``argparse.ArgumentTypeError`` with a message naming the bad value.
"""

from __future__ import annotations

import argparse
import os
from typing import Any, Callable

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
    """A target string; resolved once, in ``pytest_configure`` (``plugin.session``)."""
    if not value.strip():
        raise argparse.ArgumentTypeError("empty target: expected reference, module:<dotted.path>, ...")
    return value.strip()


def clause_ids(value: str) -> list[str]:
    from pytest_trtcache.contract import spec

    ids = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [i for i in ids if i not in spec.BY_ID]
    if not ids or unknown:
        raise argparse.ArgumentTypeError(f"unknown clause id(s) {', '.join(unknown) or repr(value)}; known: {', '.join(spec.BY_ID)}")
    return ids


def spawn_mode(value: str) -> str:
    if value not in SPAWN_MODES:
        raise argparse.ArgumentTypeError(f"bad spawn mode {value!r}: expected one of {', '.join(SPAWN_MODES)}")
    return value


def _number(value: str, convert: Callable[[str], Any], ok: Callable[[Any], bool], error: str) -> Any:
    """``convert(value)`` if it parses and is ``ok``, else argparse's error naming ``value``."""
    try:
        number = convert(value)
    except ValueError:
        raise argparse.ArgumentTypeError(error) from None
    if not ok(number):
        raise argparse.ArgumentTypeError(error)
    return number


def timeout_seconds(value: str) -> float:
    return _number(value, float, lambda s: 0 < s < float("inf"), f"bad timeout {value!r}: expected a positive number of seconds")


def gated_levels(value: str) -> frozenset[str]:
    """``all`` or comma-separated levels; ``required`` is always gated."""
    from pytest_trtcache.contract import spec

    parts = [p.strip() for p in value.split(",") if p.strip()]
    if parts == ["all"]:
        return frozenset(spec.LEVELS)
    unknown = [p for p in parts if p not in spec.LEVELS]
    if not parts or unknown:
        raise argparse.ArgumentTypeError(f"bad level {value!r}: expected all or a comma-separated subset of {', '.join(spec.LEVELS)}")
    return frozenset(parts) | {"required"}


def known_gaps_file(value: str) -> str:
    """A path; the file is read once, in ``pytest_configure`` (``plugin.session``)."""
    if not value.strip():
        raise argparse.ArgumentTypeError("empty known-gaps file name")
    return value


def profile_name(value: str) -> str:
    from pytest_trtcache.plugin.profiles import PROFILES

    if value not in PROFILES:
        raise argparse.ArgumentTypeError(f"unknown hypothesis profile {value!r}; known: {', '.join(PROFILES)}")
    return value


def positive_int(value: str) -> int:
    return _number(value, int, lambda n: n >= 1, f"expected a positive integer, got {value!r}")


# (flag, dest, default, parser or action, metavar, help): every option, one row each.
OPTIONS = (
    (TARGET, "trtcache_target", None, target_spec, "TARGET",
     "implementation under test: reference (default), module:<dotted.path>, mutant:<name>, wheel:<requirement>, "
     "wheel:/path/to/file.whl, torch_tensorrt, or a vendor entry-point name. Env: TRTCACHE_TARGET."),
    (CLAUSE, "trtcache_clause", None, clause_ids, "IDS",
     "run only the tests of these clauses (comma-separated ids, e.g. H5,F1)."),
    (REPORT, "trtcache_report", None, str, "PATH",
     "write a JSON report (per test: clause, level, runtime, outcome, message)."),
    (SPAWN, "trtcache_spawn", "auto", spawn_mode, "MODE",
     "how child processes start: fork (a warm server per pytest process), exec (a fresh interpreter each), "
     "auto (fork where safe; default)."),
    (TIMEOUT, "trtcache_timeout", 60.0, timeout_seconds, "SECONDS",
     "kill a child (and its process group) running longer than this (default 60)."),
    (PEER, "trtcache_peer", None, target_spec, "TARGET",
     "a second target for cross-target pairs (target saves, peer loads, and the reverse)."),
    (LEVEL, "trtcache_level", gated_levels("all"), gated_levels, "LEVELS",
     "clause levels whose failures fail the run: all (default) or a comma-separated subset of required, extension, "
     "security (required is always gated). Other failures are reported as 'failed (not gated)'."),
    (KNOWN_GAPS, "trtcache_known_gaps", None, known_gaps_file, "FILE",
     "file of known gaps, one a line: CLAUSE [RUNTIME] [# reason]; matching tests are xfail(strict)."),
    (PROFILE, "trtcache_profile", None, profile_name, "NAME",
     "hypothesis profile for the lifecycle state machines: trtcache-dev (default), trtcache-ci (default when the CI "
     "environment variable is set), trtcache-thorough."),
    (EXAMPLES, "trtcache_examples", None, positive_int, "N",
     "override the profile's max_examples for the lifecycle state machines."),
    (LIFECYCLE_CROSS, "trtcache_lifecycle_cross", False, "store_true", None,
     "let the lifecycle state machines send objects to a child process (slow: a fresh interpreter per send)."),
)


def add_options(parser) -> None:
    group = parser.getgroup(GROUP, "runtime-cache conformance (pytest-trtcache)")
    for flag, dest, default, parse, metavar, help in OPTIONS:
        if parse == "store_true":
            group.addoption(flag, dest=dest, default=default, action="store_true", help=help)
        else:
            group.addoption(flag, dest=dest, default=default, type=parse, metavar=metavar, help=help)


def any_set(config) -> bool:
    """Whether any of the plugin's options differs from its default."""
    return any(config.getoption(dest) != default for _flag, dest, default, *_ in OPTIONS)


def target_from(config) -> tuple[str, str]:
    """The target string and where it came from (the option, ``TRTCACHE_TARGET``, or the default)."""
    from pytest_trtcache.targets import DEFAULT, ENV

    value = config.getoption("trtcache_target")
    if value:
        return value, TARGET
    env = os.environ.get(ENV, "").strip()
    if env:
        return env, ENV
    return DEFAULT, "default target"


def profile_from(config) -> str:
    """``--trtcache-profile``, else trtcache-ci when ``CI`` is set (as on GitHub Actions), else trtcache-dev."""
    from pytest_trtcache.plugin.profiles import CI, DEV

    value = config.getoption("trtcache_profile")
    if value:
        return value
    return CI if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no") else DEV
