"""Vendor targets by entry point (group pytest_trtcache.targets), found on sys.path."""

from __future__ import annotations

import os

import pytest

# Imported here, before any in-process pytester run: pytester drops modules a run
# imported, and torch cannot be imported twice in one process.
import pytest_trtcache.reference  # noqa: F401
import torch  # noqa: F401

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFORMANCE = os.path.join(REPO, "conformance")


@pytest.fixture
def vendor(pytester: pytest.Pytester) -> pytest.Pytester:
    site = pytester.mkdir("site")
    (site / "acme_trt").mkdir()
    (site / "acme_trt" / "__init__.py").write_text("")
    (site / "acme_trt" / "conformance.py").write_text(
        "from pytest_trtcache.targets.reference import reference_target\n"
        "def target():\n"
        "    t = reference_target('acme', description='ACME runtime cache')\n"
        "    return t\n"
    )
    # A module with upstream's names (here: the reference's).
    (site / "acme_trt" / "runtime_cache.py").write_text("from pytest_trtcache.reference import *  # noqa\nfrom pytest_trtcache.reference import _RuntimeCacheHandle, _autosave_at_exit  # noqa\n")
    (site / "acme_trt" / "broken.py").write_text("def target():\n    return 42\n")
    info = site / "acme_trt-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-trt\nVersion: 1.2.3\n")
    (info / "entry_points.txt").write_text(
        "[pytest_trtcache.targets]\nacme = acme_trt.conformance:target\nacme-py = acme_trt.runtime_cache\nacme-broken = acme_trt.broken:target\n"
    )
    pytester.syspathinsert(site)
    return pytester


def test_a_vendor_target_is_selected_by_its_entry_point_name(vendor: pytest.Pytester) -> None:
    result = vendor.runpytest("-p", "trtcache", "--trtcache-target=acme", "--trtcache-clause=H1,H4", CONFORMANCE, "-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert result.ret == 0 and outcomes.get("passed", 0) > 0 and "failed" not in outcomes, outcomes
    result.stdout.fnmatch_lines(["trtcache: target acme (ACME runtime cache); runtimes: python, cpp"])


def test_a_module_entry_point_runs_as_a_python_runtime(vendor: pytest.Pytester) -> None:
    from pytest_trtcache.targets import resolve

    target = resolve("acme-py")
    assert target.versions == {"acme-trt": "1.2.3"}
    assert target.runtime("python").api.RuntimeCache.__name__ == "RuntimeCache"


def test_an_entry_point_that_does_not_return_a_target_is_a_usage_error(vendor: pytest.Pytester) -> None:
    result = vendor.runpytest("-p", "trtcache", "--trtcache-target=acme-broken", CONFORMANCE)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*acme_trt.broken:target*returned int, expected a pytest_trtcache Target*"])


def test_an_unknown_name_lists_the_accepted_forms(vendor: pytest.Pytester) -> None:
    result = vendor.runpytest("-p", "trtcache", "--trtcache-target=nobody", CONFORMANCE)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*bad target 'nobody'*<entry-point name>*"])
