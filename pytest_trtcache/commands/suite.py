"""How a child pytest runs the installed conformance suite: ``trtcache run``, ``verdicts``,
``selfcheck`` and ``bench`` all start one, so they share these.

``IMPORT_ROOT`` is the directory that holds ``pytest_trtcache``: a checkout, or
site-packages. Children get it first on ``PYTHONPATH`` so that they import the same
package as the parent, whatever their working directory.
"""

from __future__ import annotations

import argparse
import importlib.util
import os

IMPORT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def suite_dir() -> str:
    """The conformance suite: the installed package, or the checkout's ``conformance/``."""
    spec = importlib.util.find_spec("pytest_trtcache.conformance")
    if spec is not None and spec.submodule_search_locations:
        return list(spec.submodule_search_locations)[0]
    checkout = os.path.join(IMPORT_ROOT, "conformance")
    if os.path.isfile(os.path.join(checkout, "__init__.py")):
        return checkout
    raise SystemExit("trtcache: the conformance suite is not installed (no pytest_trtcache.conformance)")


def child_env() -> dict[str, str]:
    """The environment for the pytest child: it imports the same pytest_trtcache as we do
    (it runs in a temp dir, so a checkout on the cwd would otherwise be lost)."""
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": IMPORT_ROOT + (os.pathsep + path if path else "")}


def pytest_args(ns: argparse.Namespace, rest: list[str], workdir: str) -> list[str]:
    ini = os.path.join(workdir, "pytest.ini")
    with open(ini, "w", encoding="utf-8") as f:
        f.write("[pytest]\n")
    args = ["-p", "trtcache", "--import-mode=importlib", "--rootdir", workdir, "-c", ini, "-p", "no:cacheprovider", "-o", "console_output_style=progress"]
    if ns.target:
        args += ["--trtcache-target", ns.target]
    if ns.peer:
        args += ["--trtcache-peer", ns.peer]
    if ns.numprocesses:
        args += ["-n", ns.numprocesses]
    if ns.report:
        args += ["--trtcache-report", os.path.abspath(ns.report)]
    if ns.level:
        args += ["--trtcache-level", ns.level]
    if ns.known_gaps:
        args += ["--trtcache-known-gaps", os.path.abspath(ns.known_gaps)]
    return args + [suite_dir()] + rest
