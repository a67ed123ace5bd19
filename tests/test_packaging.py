"""The wheel ships every package, and the suite imports only what ships with it."""

from __future__ import annotations

import ast
import os
import tomllib

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_every_package_directory_is_listed_in_pyproject() -> None:
    with open(os.path.join(REPO, "pyproject.toml"), "rb") as f:
        listed = set(tomllib.load(f)["tool"]["setuptools"]["packages"])
    found = {"pytest_trtcache.conformance"}
    for dirpath, dirnames, filenames in os.walk(os.path.join(REPO, "pytest_trtcache")):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        if "__init__.py" in filenames:
            found.add(os.path.relpath(dirpath, REPO).replace(os.sep, "."))
    assert found == listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}; stale: {sorted(listed - found)}"


def test_the_conformance_suite_imports_only_pytest_trtcache_or_itself_relatively() -> None:
    suite = os.path.join(REPO, "conformance")
    bad = []
    for name in sorted(os.listdir(suite)):
        if not name.endswith(".py"):
            continue
        tree = ast.parse(open(os.path.join(suite, name), encoding="utf-8").read())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.split(".")[0] == "conformance":
                bad.append(f"{name}:{node.lineno} from {node.module}")
            if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "conformance" for a in node.names):
                bad.append(f"{name}:{node.lineno} import conformance")
    assert not bad, "the suite ships as pytest_trtcache.conformance; use relative imports: " + ", ".join(bad)
