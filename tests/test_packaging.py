"""The wheel ships every package, and the suite imports only what ships with it."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
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


def _imports(path: str):
    """(top-level module, node, guarded) of every absolute import in ``path``; guarded
    when the import sits in a ``try`` that catches ImportError."""
    tree = ast.parse(open(path, encoding="utf-8").read())
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
            isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError") for h in node.handlers
        ):
            guarded.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node, id(node) in guarded
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0], node, id(node) in guarded


def _normalized(requirement: str) -> str:
    import re

    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def test_every_third_party_import_of_the_installed_package_is_declared() -> None:
    # A dependency only this machine has must fail here, not on a user's machine: a
    # plain import needs a declared dependency; an extra's import must be guarded.
    import sys
    from importlib.metadata import packages_distributions

    with open(os.path.join(REPO, "pyproject.toml"), "rb") as f:
        project = tomllib.load(f)["project"]
    required = {_normalized(r) for r in project["dependencies"]}
    extras = {_normalized(r) for reqs in project["optional-dependencies"].values() for r in reqs}
    owners = packages_distributions()
    bad = []
    for root in ("pytest_trtcache", "conformance"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(REPO, root)):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            for name in filenames:
                if not name.endswith(".py"):
                    continue
                path = os.path.join(dirpath, name)
                where = os.path.relpath(path, REPO)
                for module, node, guarded in _imports(path):
                    if module in sys.stdlib_module_names or module == "pytest_trtcache":
                        continue
                    dists = {d.lower().replace("_", "-") for d in owners.get(module, [module])}
                    if dists & required:
                        continue
                    if dists & extras and guarded:
                        continue
                    why = "an extra's import outside try/except ImportError" if dists & extras else "not declared in pyproject.toml"
                    bad.append(f"{where}:{node.lineno} imports {module} ({', '.join(sorted(dists))}): {why}")
    assert not bad, "\n".join(bad)


def test_the_package_never_calls_tensor_numpy() -> None:
    # numpy is only an extra (upstream's sources need it); torch runs without it, and a
    # .numpy() call then raises "Numpy is not available" (issue 13: 106 such failures).
    bad = []
    for root in ("pytest_trtcache", "conformance"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(REPO, root)):
            for name in filenames:
                if name.endswith(".py"):
                    tree = ast.parse(open(os.path.join(dirpath, name), encoding="utf-8").read())
                    for node in ast.walk(tree):
                        if isinstance(node, ast.Attribute) and node.attr == "numpy":
                            bad.append(f"{os.path.relpath(os.path.join(dirpath, name), REPO)}:{node.lineno}")
    assert not bad, "Tensor.numpy() needs numpy, which is not a dependency: " + ", ".join(bad)


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = open(os.path.join(REPO, "README.md"), encoding="utf-8").read().splitlines()
    fence = readme.index("```bash")
    commands = [line.split("  #")[0].strip() for line in readme[fence + 1 : fence + 3]]
    assert all(c.startswith("python3 -m venv .venv && . .venv/bin/activate && bash ci/install.sh && ") for c in commands), commands
    assert commands[0].endswith("python -m pytest -p trtcache conformance/")
    run = [line for line in open(os.path.join(REPO, "ci", "run.sh"), encoding="utf-8").read().splitlines() if line and not line.startswith("#")]
    assert run[-1] == commands[1], f"ci/run.sh runs {run[-1]!r}; README says {commands[1]!r}"
    assert "ci/run.sh" in open(os.path.join(REPO, ".ci", "run"), encoding="utf-8").read()


def test_the_shipped_code_runs_on_the_oldest_python_pyproject_promises() -> None:
    """vermin reads every module of the wheel (the package and the suite) for the Python
    versions its syntax, modules and members need."""
    with open(os.path.join(REPO, "pyproject.toml"), "rb") as f:
        floor = tomllib.load(f)["project"]["requires-python"].removeprefix(">=")
    vermin = os.path.join(os.path.dirname(sys.executable), "vermin")  # the test extra's console script
    out = subprocess.run([vermin, f"-t={floor}-", "--violations", "--no-tips", "pytest_trtcache", "conformance"],
                         cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, f"code that needs more than Python {floor}:\n{out.stdout}{out.stderr}"
