"""The docs describe the project as it is: generated blocks match their data, the README
stays a first screen, no document speaks of past work, and every relative link resolves."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pytest_trtcache import docblocks

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "BENCHMARKS.md", ROOT / "CLAUSES.md", *sorted((ROOT / "docs").glob("*.md"))]
# The words of an account of how the work went (the same list as the project's before-stop hook).
HISTORY = re.compile(r"this session|earlier session|previous session|this revision|revision [0-9a-f]{7}|predates"
                     r"|fixed after|since fixed|as of this commit|device time", re.I)


def test_generated_blocks_match_their_data() -> None:
    assert docblocks.stale() == [], "run: python -m pytest_trtcache.docblocks"


def test_a_block_that_differs_from_its_data_is_found(tmp_path: Path) -> None:
    for block in docblocks.BLOCKS:
        (tmp_path / block.file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / block.file, tmp_path / block.file)
    shutil.copy(ROOT / "docs" / "bench.json", tmp_path / "docs" / "bench.json")
    if (ROOT / "docs" / "mutation").is_dir():
        shutil.copytree(ROOT / "docs" / "mutation", tmp_path / "docs" / "mutation")
    assert docblocks.stale(tmp_path) == []
    bench = tmp_path / "BENCHMARKS.md"
    bench.write_text(bench.read_text(encoding="utf-8").replace("| pair.fork | 10 |", "| pair.fork | 9 |"), encoding="utf-8")
    assert docblocks.stale(tmp_path) == ["BENCHMARKS.md: bench"]
    docblocks.write(tmp_path)
    assert docblocks.stale(tmp_path) == []


def test_a_block_without_its_markers_is_an_error() -> None:
    with pytest.raises(ValueError, match="zoo:start"):
        docblocks.with_block("no markers here", "zoo", "text")


def test_the_readme_is_a_first_screen() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200, f"README.md has {len(lines)} lines: move detail into docs/"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_document_speaks_of_the_project_as_it_is(doc: Path) -> None:
    found = [f"{i}: {line.strip()}" for i, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1) if HISTORY.search(line)]
    assert not found, "history belongs in git log:\n" + "\n".join(found)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(doc: Path) -> None:
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8"))
    broken = [link for link in links if "://" not in link and not (doc.parent / link).exists()]
    assert not broken, f"{doc.name} links to missing files: {broken}"


def test_the_targets_doc_names_every_target_form() -> None:
    from pytest_trtcache.targets import FORMS

    doc = (ROOT / "docs" / "targets.md").read_text(encoding="utf-8")
    assert [form for form in FORMS if f"`{form}`" not in doc and f"`{form}` (default)" not in doc] == []
