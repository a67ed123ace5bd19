"""Log records and warnings made in a clause-tagged test keep nothing alive, and still
read exactly as they would have; a vendor that logs the exceptions it catches passes
the liveness clauses."""

from __future__ import annotations

import gc
import logging
import os
import warnings
import weakref
from pathlib import Path

import pytest

from tests._nested import PASSING_TARGET_ENV

from pytest_trtcache.commands import selfcheck
from pytest_trtcache.contract.frozen_reports import freeze_record, frozen_reports
from pytest_trtcache.report.records import Outcome

TESTS = Path(__file__).resolve().parent
log = logging.getLogger("tests.frozen")


class Facade:
    def __repr__(self) -> str:
        return "<Facade>"

    def fail(self) -> None:
        try:
            raise OSError("disk full")
        except OSError as exc:
            log.warning("autosave of %r failed: %s", self, exc)
            log.exception("autosave failed")
            warnings.warn(RuntimeWarning(exc), stacklevel=1)


def test_a_logged_and_warned_object_is_collected_once_dropped(caplog: pytest.LogCaptureFixture) -> None:
    with frozen_reports(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        facade = Facade()
        facade.fail()
        ref = weakref.ref(facade)
        del facade
        gc.collect()
        assert ref() is None
    assert "autosave of <Facade> failed: disk full" in caplog.text
    assert "OSError: disk full" in caplog.text and "Traceback (most recent call last)" in caplog.text
    assert [(w.category, str(w.message)) for w in caught] == [(RuntimeWarning, "disk full")]


def test_without_freezing_the_same_idioms_keep_it_alive(caplog: pytest.LogCaptureFixture) -> None:
    """The control: what the suite's harness would hold without frozen_reports."""
    facade = Facade()
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        facade.fail()
    ref = weakref.ref(facade)
    del facade
    gc.collect()
    assert ref() is not None


def test_a_frozen_record_formats_exactly_as_the_original() -> None:
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        exc_info = sys.exc_info()
    make = lambda: logging.LogRecord("n", logging.ERROR, __file__, 1, "a %s b %d", ("x", 3), exc_info)  # noqa: E731
    assert formatter.format(freeze_record(make())) == formatter.format(make())
    frozen = freeze_record(make())
    assert frozen.args == () and frozen.exc_info is None


def test_a_record_whose_arguments_cannot_be_formatted_says_so_as_text() -> None:
    class Bad:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    record = freeze_record(logging.LogRecord("n", logging.WARNING, __file__, 1, "obj %r", (Bad(),), None))
    assert record.args == () and "unformattable log message 'obj %r': RuntimeError: no repr" in record.getMessage()


def test_a_vendor_that_logs_what_it_catches_passes_the_liveness_clauses() -> None:
    env = dict(os.environ, PYTHONPATH=str(TESTS), **PASSING_TARGET_ENV)
    run = selfcheck.run_suite("module:vendor_idioms._runtime_cache", clauses=("A3", "A4", "A5", "A9"), env=env)
    assert run.tests, run.output[-3000:]
    root_only = lambda t: t.outcome is Outcome.SKIPPED and "(root)" in t.message  # noqa: E731  (root ignores permissions)
    bad = [f"{t.nodeid}: {t.outcome}: {t.message}" for t in run.tests if t.outcome is not Outcome.PASS and not root_only(t)]
    assert bad == [] and run.returncode == 0, "\n".join(bad) + "\n" + run.output[-3000:]
