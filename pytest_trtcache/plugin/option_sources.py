"""Where each option's value comes from: command line > environment > ini > default.

:func:`settle` runs once, when the plugin switches on: it reads each row of
:data:`.options.OPTIONS` from its ``--trtcache-*`` flag (already parsed by argparse), its
``TRTCACHE_*`` variable or its ``trtcache_*`` ini key, through the row's parser, and
writes the winner into ``config.option`` (so ``config.getoption`` gives the settled
value everywhere). A bad value is a usage error naming its source.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

import pytest

from pytest_trtcache.plugin.keys import SOURCES_KEY
from pytest_trtcache.plugin.options import BY_DEST, OPTIONS, Option


def any_set(config: pytest.Config) -> bool:
    """Whether an option is given on the command line or as an ini key (the environment
    alone does not switch the plugin on: see :mod:`.in_use`)."""
    return any(config.getoption(o.dest) is not None or config.getini(o.ini).strip() for o in OPTIONS)


def _parsed(option: Option, text: str, source: str) -> Any:
    try:
        return option.parse(text)
    except argparse.ArgumentTypeError as exc:
        raise pytest.UsageError(f"{source}: {exc}") from None


def _ini_text(config: pytest.Config, option: Option, text: str) -> str:
    """A path in an ini file is relative to that file's directory, as pytest's own are."""
    if option.is_path and config.inipath is not None and not os.path.isabs(text):
        return str(config.inipath.parent / text)
    return text


def _value(config: pytest.Config, option: Option) -> tuple[Any, str]:
    given = config.getoption(option.dest)
    if given is not None:
        return given, option.flag
    env = os.environ.get(option.env, "").strip()
    if env:
        return _parsed(option, env, option.env), option.env
    ini = config.getini(option.ini).strip()
    if ini:
        source = f"ini key {option.ini}"
        return _parsed(option, _ini_text(config, option, ini), source), source
    if option.default is not None:
        return option.parse(option.default), "default"
    return (False if option.metavar is None else None), "default"


def settle(config: pytest.Config) -> None:
    """Every option's value from its winning source, into ``config.option``."""
    sources = {}
    for option in OPTIONS:
        value, sources[option.dest] = _value(config, option)
        setattr(config.option, option.dest, value)
    config.stash[SOURCES_KEY] = sources


def source_of(config: pytest.Config, dest: str) -> str:
    """Where ``dest``'s value came from: its flag, its variable, ``ini key NAME``, or ``default``."""
    return config.stash.get(SOURCES_KEY, {}).get(dest, BY_DEST[dest].flag)
