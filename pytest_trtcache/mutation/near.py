"""The clauses whose tests reach the mutated code: :mod:`.run_one` runs them first.

Static, from names: the function around the mutated line, every function of the module
that calls it (transitively, by name), and for the protocols a test reaches without
naming the method (pickle, copy, ``del``, exit) the words a test uses for them. A clause
is near when one of its tests names one of those; the more of its tests do, the sooner
it runs. Far clauses still run after (a miss costs time, never a verdict).
"""

from __future__ import annotations

import ast
import collections
import difflib
import glob
import os
from typing import Iterable

#: a protocol method -> names a test uses to reach it
PROTOCOLS = {
    "__reduce__": ("dumps", "loads", "pickle", "deepcopy", "copy", "save"),
    "__reduce_ex__": ("dumps", "loads", "pickle", "deepcopy", "copy", "save"),
    "__getstate__": ("dumps", "loads", "pickle", "deepcopy", "copy", "save"),
    "__setstate__": ("dumps", "loads", "pickle", "deepcopy", "copy", "load"),
    "__deepcopy__": ("deepcopy",),
    "__copy__": ("copy",),
    "__del__": ("collect", "gc", "autosave", "start_child", "atexit"),
    "__init__": ("RuntimeCache", "api"),
    "__enter__": ("runtime_cache",),
    "__exit__": ("runtime_cache",),
    "__repr__": ("repr", "caplog", "warns"),
}


def changed_lines(pristine: str, mutated: str) -> list[int]:
    """1-based lines of ``pristine`` that the mutant replaced."""
    lines = []
    matcher = difflib.SequenceMatcher(a=pristine.splitlines(), b=mutated.splitlines(), autojunk=False)
    for tag, a0, a1, _, _ in matcher.get_opcodes():
        if tag != "equal":
            lines.extend(range(a0 + 1, max(a1, a0 + 1) + 1))
    return lines


def _functions(tree: ast.AST) -> list[ast.AST]:
    return [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]


def enclosing(source: str, line: int) -> list[str]:
    """Names of the functions and classes around ``line``, innermost first."""
    found = [(n.lineno, n.name) for n in _functions(ast.parse(source)) if n.lineno <= line <= (n.end_lineno or n.lineno)]
    return [name for _, name in sorted(found, reverse=True)]


def _called(node: ast.AST) -> set[str]:
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute):
            names.add(sub.attr)
        elif isinstance(sub, ast.Name):
            names.add(sub.id)
    return names


def reaching(sources: Iterable[str], names: Iterable[str]) -> set[str]:
    """``names`` and every function of ``sources`` (the mutated files, read together: a
    helper of one module is called from another) that uses one of them, transitively."""
    defs = [n for source in sources for n in _functions(ast.parse(source)) if not isinstance(n, ast.ClassDef)]
    uses = {n.name: _called(n) for n in defs}
    for source in sources:  # class-body aliases: ``write_file = staticmethod(write_atomically)``
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        uses.setdefault(target.id, set()).update(_called(node.value))
    found = set(names)
    grew = True
    while grew:
        grew = False
        for name, used in uses.items():
            if name not in found and used & found:
                found.add(name)
                grew = True
    for name in list(found):
        found.update(PROTOCOLS.get(name, ()))
    return found


def _marker_clauses(func: ast.AST) -> list[str]:
    out = []
    for deco in getattr(func, "decorator_list", ()):
        if isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute) and deco.func.attr == "clause":
            out += [a.value for a in deco.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return out


def clause_tests(suite_dir: str) -> list[tuple[list[str], set[str]]]:
    """(clauses, names used) of every clause-tagged test function of the suite; a module's
    helper functions count for the tests of that module (they call the API for them)."""
    out = []
    for path in sorted(glob.glob(os.path.join(suite_dir, "test_*.py"))):
        with open(path, encoding="utf-8") as f:
            module = ast.parse(f.read())
        helpers = set().union(*[_called(n) for n in module.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("test")] or [set()])
        for node in module.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
                clauses = _marker_clauses(node)
                if clauses:
                    out.append((clauses, _called(node) | helpers))
    return out


def near_clauses(names: set[str], tests: list[tuple[list[str], set[str]]]) -> list[str]:
    """Clauses whose tests use one of ``names``, those with the most such tests first."""
    hits: collections.Counter[str] = collections.Counter()
    for clauses, used in tests:
        if used & names:
            hits.update(clauses)
    return [clause for clause, _ in sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))]
