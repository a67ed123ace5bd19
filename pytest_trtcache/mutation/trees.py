"""What a target's mutation run mutates, and the worker tree each engine worker runs in.

cosmic-ray writes a mutant into the file on disk, runs the test command and restores
the file, so two workers never share a tree: each gets its own copy of the importable
code (``copies``), the pristine text of the mutated files (to find the mutated line)
and the plan of :mod:`.run_one`. A target in a worker tree is named by ``spec`` with
``{tree}`` replaced by the tree's path; the tree goes first on ``PYTHONPATH`` when the
target is imported by name (``reference``, ``module:``), and :mod:`.run_one` refuses to
run when the import did not come from the tree (no silent measurement of the original).
"""

from __future__ import annotations

import glob
import importlib.util
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from typing import Optional, Sequence

PLAN = ".trtcache-mutate.json"
PRISTINE = ".trtcache-pristine"
UPSTREAM_DIR = "upstream"
#: the reference's files that are not its python runtime: the C++ runtime's build
#: harness (a mutant there rebuilds the shared extension; tests/test_cpp_build.py is its
#: test) and the model of TensorRT's IRuntimeCache, which every target runs on (the
#: upstream shim too) and the suite's expectations are encoded with (conformance/blobs.py):
#: a mutant there changes the oracle with the implementation (tests/test_kernels.py pins
#: it with golden bytes)
REFERENCE_EXCLUDED = ("cpp.py", "kernels.py")
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".build-*", "*.egg-info")


class MutateError(Exception):
    """A bad input to ``trtcache mutate``, named with the fix."""


@dataclass
class Tree:
    spec: str  # target spec inside a worker tree ({tree}: the tree's path)
    copies: list[tuple[str, str]]  # (source path, path relative to the tree)
    files: list[str]  # files to mutate, relative to the tree
    on_path: bool  # the tree goes first on PYTHONPATH
    import_check: Optional[str] = None  # a module that must import from the tree
    suite_options: dict = field(default_factory=dict)  # SuiteRunSpec fields for run_one
    known_gaps: Optional[str] = None  # for the baseline only: its tests are left out per mutant
    #: node ids the unmutated target does not pass (known gaps, not observed, skipped):
    #: they cannot tell a mutant from the original, so no mutant runs them
    deselect: list[str] = field(default_factory=list)

    def spec_in(self, tree_dir: str) -> str:
        return self.spec.replace("{tree}", tree_dir)

    def source_of(self, relative: str) -> str:
        """The original of a tree-relative path (for the survivors' file:line)."""
        for source, dest in self.copies:
            if relative == dest or relative.startswith(dest + os.sep):
                return os.path.normpath(os.path.join(source, os.path.relpath(relative, dest)))
        return relative


def _reference() -> Tree:
    from pytest_trtcache.launch.suite import IMPORT_ROOT, suite_dir

    package = os.path.join(IMPORT_ROOT, "pytest_trtcache")
    copies = [(package, "pytest_trtcache")]
    suite = suite_dir()
    if not suite.startswith(package + os.sep):  # a checkout's top-level conformance/
        copies.append((suite, "conformance"))
    files = sorted(
        os.path.relpath(path, IMPORT_ROOT)
        for path in glob.glob(os.path.join(package, "reference", "*.py"))
        if os.path.basename(path) not in REFERENCE_EXCLUDED
    )
    return Tree("reference", copies, files, on_path=True, import_check="pytest_trtcache")


def _module(spec: str, dotted: str) -> Tree:
    top = dotted.split(".")[0]
    try:
        found = importlib.util.find_spec(dotted)
        top_spec = importlib.util.find_spec(top)
    except (ImportError, ValueError) as exc:
        raise MutateError(f"--target {spec}: cannot find {dotted!r}: {exc}") from None
    if found is None or top_spec is None or not found.origin or not found.origin.endswith(".py"):
        raise MutateError(f"--target {spec}: {dotted!r} is not a python source module here (found {found and found.origin})")
    if top_spec.submodule_search_locations:  # a package: copy all of it
        package = list(top_spec.submodule_search_locations)[0]
        root = os.path.dirname(package)
        copies = [(package, top)]
    else:
        root = os.path.dirname(top_spec.origin)
        copies = [(top_spec.origin, os.path.basename(top_spec.origin))]
    if os.path.basename(found.origin) == "__init__.py":
        files = sorted(os.path.relpath(p, root) for p in glob.glob(os.path.join(os.path.dirname(found.origin), "*.py")))
    else:
        files = [os.path.relpath(found.origin, root)]
    return Tree(spec, copies, files, on_path=True, import_check=dotted)


def _upstream(spec: str, root: str) -> Tree:
    from pytest_trtcache.targets.wheel import SOURCES

    copies = [(os.path.join(root, "torch_tensorrt"), os.path.join(UPSTREAM_DIR, "torch_tensorrt"))]
    files = [os.path.join(UPSTREAM_DIR, name) for name in SOURCES]
    return Tree("sources:{tree}/" + UPSTREAM_DIR, copies, files, on_path=False)


#: the target forms whose python sources are on disk, which mutate can measure
MUTABLE = ("reference", "module", "wheel", "sources")


def tree_for(spec: str) -> Tree:
    """The mutation tree of a target string (the forms whose code is python on disk)."""
    from pytest_trtcache.targets import FORMS, TargetError, parse

    try:
        kind, rest = parse(spec)
        if kind == "reference":
            return _reference()
        if kind == "module":
            return _module(spec, rest)
        if kind == "wheel":
            from pytest_trtcache.targets.wheel import extract, fetch

            wheel = os.path.abspath(os.path.expanduser(rest)) if rest.endswith(".whl") else fetch(rest)
            return _upstream(spec, extract(wheel))
        if kind == "sources":
            from pytest_trtcache.targets.wheel import sources_target

            sources_target(spec, rest)  # the same checks as trtcache run's
            return _upstream(spec, os.path.abspath(os.path.expanduser(rest)))
    except TargetError as exc:
        raise MutateError(str(exc)) from None
    mutable = [form for form in FORMS if form.partition(":")[0] in MUTABLE]
    raise MutateError(f"--target {spec}: mutate measures a target whose python sources are on disk: {', '.join(mutable)}")


def select_files(tree: Tree, paths: Sequence[str]) -> None:
    """Narrow ``tree.files`` to ``paths`` (tree-relative, or the originals' paths)."""
    if not paths:
        return
    chosen = []
    for path in paths:
        absolute = os.path.abspath(path)
        relative = next((os.path.join(dest, os.path.relpath(absolute, source)) for source, dest in tree.copies
                         if absolute == source or absolute.startswith(source + os.sep)), path)
        if relative not in tree.files:
            raise MutateError(f"--paths {path}: not one of the target's python files ({', '.join(tree.source_of(f) for f in tree.files)})")
        chosen.append(relative)
    tree.files = chosen


def build(tree: Tree, tree_dir: str) -> None:
    """Lay out one worker tree: the copies, the pristine mutated files, the plan."""
    os.makedirs(tree_dir, exist_ok=True)
    for source, dest in tree.copies:
        target = os.path.join(tree_dir, dest)
        if os.path.isdir(source):
            shutil.copytree(source, target, ignore=_IGNORE, symlinks=True)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(source, target)
    for name in tree.files:
        pristine = os.path.join(tree_dir, PRISTINE, name)
        os.makedirs(os.path.dirname(pristine), exist_ok=True)
        shutil.copy2(os.path.join(tree_dir, name), pristine)
    save_plan(tree, tree_dir)


def save_plan(tree: Tree, tree_dir: str) -> None:
    with open(os.path.join(tree_dir, PLAN), "w", encoding="utf-8") as f:
        json.dump(asdict(tree), f, indent=1)


def load(tree_dir: str) -> Tree:
    with open(os.path.join(tree_dir, PLAN), encoding="utf-8") as f:
        data = json.load(f)
    data["copies"] = [tuple(pair) for pair in data["copies"]]
    return Tree(**data)


def environment(tree: Tree, tree_dir: str, base: Optional[dict] = None) -> dict:
    """A worker's environment: the tree first on the path when the target is imported by name."""
    from pytest_trtcache.spawn.environment import child_env

    env = child_env(base, first=[tree_dir] if tree.on_path else ())
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # a mutant and its restore can share one mtime second
    return env
