"""Every option of the plugin, one table: command-line flag, environment variable, ini key.

Each :class:`Option` row is a ``--trtcache-*`` flag, a ``TRTCACHE_*`` environment variable
and a ``trtcache_*`` ini key (``pytest.ini``, ``[tool.pytest.ini_options]``), all read
through the same parser (:mod:`.option_sources` settles them: command line >
environment > ini > default). Option strings are constants so tests import them.
Parsers raise ``argparse.ArgumentTypeError`` with a message naming the bad value.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from typing import Any, Callable, Optional

from pytest_trtcache.targets import FORMS

GROUP = "trtcache"
TARGET = "--trtcache-target"
CLAUSE = "--trtcache-clause"
REPORT = "--trtcache-report"
SPAWN = "--trtcache-spawn"
TIMEOUT = "--trtcache-timeout"
TEST_TIMEOUT = "--trtcache-test-timeout"
PEER = "--trtcache-peer"
SPAWN_MODES = ("auto", "fork", "exec")
LEVEL = "--trtcache-level"
KNOWN_GAPS = "--trtcache-known-gaps"
PROFILE = "--trtcache-profile"
EXAMPLES = "--trtcache-examples"
STEPS = "--trtcache-steps"
LIFECYCLE_CROSS = "--trtcache-lifecycle-cross"
RUNTIMES = "--trtcache-runtimes"
ALLOW_UNOBSERVED = "--trtcache-allow-unobserved"
ALLOW_PARTIAL = "--trtcache-allow-partial"


def target_spec(value: str) -> str:
    """A target string; resolved once, in ``pytest_configure`` (``plugin.session``)."""
    if not value.strip():
        raise argparse.ArgumentTypeError(f"empty target: expected one of {', '.join(FORMS)}")
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


# A child's deadline: below a tenth of a second no child can even start, so the run would
# read as the child's failure, not the timeout's; above a day, deadlines overflow.
TIMEOUT_RANGE = (0.1, 86400.0)


def timeout_seconds(value: str) -> float:
    low, high = TIMEOUT_RANGE
    return _number(value, float, lambda s: low <= s <= high, f"bad timeout {value!r}: expected seconds from {low:g} to {high:g} (a day)")


def runtime_names(value: str) -> frozenset[str]:
    """Comma-separated runtime names; checked against the target's in pytest_configure."""
    names = frozenset(p.strip() for p in value.split(",") if p.strip())
    if not names:
        raise argparse.ArgumentTypeError(f"bad runtimes {value!r}: expected comma-separated runtime names, e.g. python or python,cpp")
    return names


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


def flag_value(value: str) -> bool:
    """An on/off switch as an environment variable or ini key: 1/true/yes/on or 0/false/no/off."""
    word = value.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off", ""):
        return False
    raise argparse.ArgumentTypeError(f"bad switch {value!r}: expected 1/true/yes/on or 0/false/no/off")


@dataclass(frozen=True)
class Option:
    flag: str
    parse: Callable[[str], Any]  # the value's parser; flag_value for a switch
    metavar: Optional[str]  # None: a switch (store_true on the command line)
    help: str
    default: Optional[str] = None  # as text, parsed like any other value; None: unset
    shown_default: Optional[str] = None  # the documented default, where it is not ``default``
    is_path: bool = False  # an ini value is relative to the ini file's directory

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")

    @property
    def ini(self) -> str:
        return self.dest

    @property
    def env(self) -> str:
        return self.dest.upper()


OPTIONS = (
    Option(TARGET, target_spec, "TARGET",
           "implementation under test: " + ", ".join(FORMS), default="reference"),
    Option(CLAUSE, clause_ids, "IDS", "run only the tests of these clauses (comma-separated ids, e.g. H5,F1)"),
    Option(REPORT, str, "PATH", "write a JSON report (schema: pytest_trtcache/report/schema.json; written atomically; an unwritable path "
           "is a usage error before any test runs); the Markdown clause x runtime matrix goes to $GITHUB_STEP_SUMMARY "
           "when that is set", is_path=True),
    Option(SPAWN, spawn_mode, "MODE",
           "how child processes start: fork (a warm server per pytest process), exec (a fresh interpreter each), "
           "auto (fork where safe)", default="auto"),
    Option(TIMEOUT, timeout_seconds, "SECONDS", "kill a child (and its process group) running longer than this; from 0.1 to 86400 seconds", default="60"),
    Option(TEST_TIMEOUT, timeout_seconds, "SECONDS",
           "deadline of each clause-tagged test: past it the test fails on its clause, naming its step", default="600"),
    Option(PEER, target_spec, "TARGET", "a second target for cross-target pairs (target saves, peer loads, and the reverse)"),
    Option(LEVEL, gated_levels, "LEVELS",
           "clause levels whose failures fail the run: all or a comma-separated subset of required, extension, "
           "security (required is always gated); other failures are reported as 'failed (not gated)'", default="all"),
    Option(KNOWN_GAPS, known_gaps_file, "FILE",
           "file of known gaps, one a line: CLAUSE [RUNTIME] or a node-id pattern, [# reason]; matching tests are "
           "xfail, and an entry whose tests all pass fails the run (see Known gaps)", is_path=True),
    Option(PROFILE, profile_name, "NAME",
           "hypothesis profile of the suite's state machines: trtcache-dev, trtcache-ci, trtcache-thorough",
           shown_default="trtcache-dev; trtcache-ci when CI is set"),
    Option(EXAMPLES, positive_int, "N", "override the profile's max_examples for the suite's state machines"),
    Option(STEPS, positive_int, "N", "override the profile's steps per example (stateful_step_count) for the suite's state machines"),
    Option(RUNTIMES, runtime_names, "NAMES",
           "test only these of the target's runtimes (comma-separated, e.g. python); by default every runtime the "
           "target declares runs, and one that cannot run here (no compiler, broken build) fails the run",
           shown_default="every runtime"),
    Option(ALLOW_UNOBSERVED, clause_ids, "IDS",
           "required clauses the run may leave unobserved (comma-separated ids; recorded in the report); by default "
           "a required clause whose every test was not observable or skipped fails the run"),
    Option(ALLOW_PARTIAL, flag_value, None,
           "let a run narrowed by -k, -m, --lf or node ids leave required clauses untested (recorded in the report); by "
           "default such a run exits 6 naming them (--trtcache-clause narrows on purpose and needs no allowance)",
           shown_default="off"),
    Option(LIFECYCLE_CROSS, flag_value, None,
           "let the lifecycle state machines send objects to a child process (each send a child of the run's spawner)",
           shown_default="off"),
)
BY_DEST = {option.dest: option for option in OPTIONS}


def add_options(parser: Any) -> None:
    """Every row as a flag and an ini key. Flags default to None, so that a value given on
    the command line can be told from one that is not (:mod:`.option_sources`)."""
    group = parser.getgroup(GROUP, "runtime-cache conformance (pytest-trtcache)")
    for option in OPTIONS:
        text = f"{option.help} (env {option.env}; default {option.shown_default or option.default or 'none'})"
        if option.metavar is None:
            group.addoption(option.flag, dest=option.dest, default=None, action="store_true", help=text)
        else:
            group.addoption(option.flag, dest=option.dest, default=None, type=option.parse, metavar=option.metavar, help=text)
        parser.addini(option.ini, f"{option.help} (as {option.flag})", type="string", default="")


def profile_from(config: Any) -> str:
    """``--trtcache-profile``, else trtcache-ci when ``CI`` is set (as on GitHub Actions), else trtcache-dev."""
    from pytest_trtcache.plugin.profiles import CI, DEV

    value = config.getoption("trtcache_profile")
    if value:
        return value
    return CI if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no") else DEV


MARKDOWN_START, MARKDOWN_END = "<!-- options:start -->", "<!-- options:end -->"


def markdown_table() -> str:
    """The options table as Markdown, for docs/plugin.md (kept in step by tests/test_option_sources.py)."""
    rows = ["| option | environment | ini key | default | meaning |", "|---|---|---|---|---|"]
    for o in OPTIONS:
        flag = f"`{o.flag}={o.metavar}`" if o.metavar else f"`{o.flag}`"
        default = o.shown_default or (f"`{o.default}`" if o.default else "none")
        meaning = o.help.replace("|", "/").replace("<", "&lt;").replace(">", "&gt;")
        rows.append(f"| {flag} | `{o.env}` | `{o.ini}` | {default} | {meaning} |")
    return "\n".join(rows)


def with_markdown_table(readme: str) -> str:
    """``readme`` (a Markdown document) with the block between the options markers regenerated;
    a document without the markers is an error, never a table appended at its end."""
    if readme.count(MARKDOWN_START) != 1 or readme.count(MARKDOWN_END) != 1:
        raise ValueError(f"expected one {MARKDOWN_START} and one {MARKDOWN_END} (the table lives in docs/plugin.md)")
    head, _, rest = readme.partition(MARKDOWN_START)
    _, _, tail = rest.partition(MARKDOWN_END)
    return f"{head}{MARKDOWN_START}\n{markdown_table()}\n{MARKDOWN_END}{tail}"


if __name__ == "__main__":  # python -m pytest_trtcache.plugin.options docs/plugin.md
    import sys

    with open(sys.argv[1], encoding="utf-8") as f:
        text = with_markdown_table(f.read())
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        f.write(text)
