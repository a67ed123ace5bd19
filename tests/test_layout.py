"""The tree reads like the architecture: no import cycles (between modules or between
subpackages), small modules and functions, and README's Layout naming what is there."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "pytest_trtcache"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(REPO).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def import_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports, lazily or not (a function-level import
    is still a dependency). ``from pkg import name`` counts as the submodule when
    ``pkg.name`` is one, else as ``pkg``."""
    known = modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in known.items():
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                wanted = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(here[: len(here) - node.level + 1] + ([node.module] if node.module else [])) if node.level else node.module
                wanted = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
            else:
                continue
            for target in wanted:
                parts = (target or "").split(".")
                while parts and ".".join(parts) not in known:
                    parts.pop()
                if parts and ".".join(parts) != name:
                    graph[name].add(".".join(parts))
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in list(graph):
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_itself_back_through_others() -> None:
    assert cycles(import_graph()) == []


def test_no_subpackage_imports_itself_back_through_others() -> None:
    # plugin -> spawn -> contract -> targets -> reference, never the reverse: shared
    # helpers live below both of their users.
    def top(name: str) -> str:
        return ".".join(name.split(".")[:2])

    packages: dict[str, set[str]] = defaultdict(set)
    for source, targets in import_graph().items():
        packages[top(source)].update(top(t) for t in targets if top(t) != top(source))
    assert cycles(packages) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_modules_and_functions_stay_small() -> None:
    too_long = []
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MAX_MODULE_LINES:
            too_long.append(f"{name}: {text.count(chr(10))} lines (max {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= MAX_FUNCTION_LINES:
                too_long.append(f"{name}.{node.name}: {node.end_lineno - node.lineno + 1} lines (max {MAX_FUNCTION_LINES})")
    assert not too_long, "split these: " + "; ".join(too_long)


def test_readme_layout_names_every_subpackage_and_top_level_module() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Layout") :]
    block = layout[layout.index("```") + 3 :]
    block = block[: block.index("```")]
    named = set(re.findall(r"^  (\w+)(?:/|\.py)", block, re.M))
    present = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    present |= {p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__")}
    assert named == present, f"README Layout lists {sorted(named - present)} that are gone, misses {sorted(present - named)}"


#: upstream's own underscore names (``torch_tensorrt/runtime/_runtime_cache.py``): the
#: reference mirrors them and zoo mutants subclass them, as a vendor's code would
UPSTREAM_NAMES = {"_RuntimeCacheHandle", "_RuntimeCacheContextManager", "_autosave_at_exit"}


def private_imports_across_packages() -> list[str]:
    """``from pytest_trtcache.X.m import _name`` in a module outside subpackage X."""
    found = []
    for name, path in modules().items():
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            base = ".".join(here[: len(here) - node.level + 1] + ([node.module] if node.module else [])) if node.level else node.module
            if not (base or "").startswith("pytest_trtcache.") or base.split(".")[:2] == name.split(".")[:2]:
                continue
            found += [f"{name}: from {base} import {a.name}" for a in node.names
                      if a.name.startswith("_") and not a.name.startswith("__") and a.name not in UPSTREAM_NAMES]
    return found


def test_no_module_imports_a_private_name_of_another_package() -> None:
    assert private_imports_across_packages() == []
