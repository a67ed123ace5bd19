"""The figures of the docs, rendered from their data, never typed by hand.

Each block sits between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` in its file and is
rendered from data stored in the repository: the options table of ``plugin/options.py`` for
docs/plugin.md, ``docs/bench.json`` (``trtcache bench --json``)
for BENCHMARKS.md, ``docs/mutation/*.json`` (``trtcache mutate --json``) for
docs/mutation.md, the zoo's catalog for docs/lifecycle.md.

    python -m pytest_trtcache.docblocks           # rewrite every block
    python -m pytest_trtcache.docblocks --check   # exit 1 naming the blocks out of date

``tests/test_docs.py`` fails when a block differs from what its data renders.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Block:
    name: str
    file: str  # relative to the repository root
    render: Callable[[Path], str]  # the repository root -> the block's text


def bench_block(root: Path) -> str:
    from pytest_trtcache.commands.bench import table

    data = json.loads((root / "docs" / "bench.json").read_text(encoding="utf-8"))
    machine = data["machine"]
    load = f"load average {machine['loadavg_before'][0]:.1f} at the start, {machine['loadavg_after'][0]:.1f} at the end"
    lines = [f"From `{data['command']}` on a {machine['cpus']}-core machine ({load}; Python {machine['python']});",
             f"the whole run took {data['wall_s']:.0f} s. Raw values: `docs/bench.json`.", "", table(data["figures"]), "",
             "| goal | target | measured | met? |", "|---|---|---|---|"]
    lines += [f"| {name} | {g['goal']} | {g['measured']} | {'yes' if g['met'] else 'NO'} |" for name, g in data.get("goals", {}).items()]
    return "\n".join(lines)


def _mutated(files: list[str]) -> str:
    """The mutated files as ``dir/`` and their names, free of the machine's absolute paths."""
    folder = os.path.commonpath([os.path.dirname(f) for f in files])
    return f"`{os.path.basename(folder)}/` " + ", ".join(f"`{os.path.relpath(f, folder)}`" for f in files)


def _mutation_row(name: str, result: dict) -> str:
    counts = result["counts"]
    files = _mutated(result["files"])
    score = "n/a" if result["score"] is None else f"**{100 * result['score']:.1f}%**"
    sample = f"sample of {result['measured']} (seed {result['seed']})" if result.get("sample") else "all"
    cells = [f"`{result['target']}`", files, str(result["generated"]), sample, *(str(counts.get(v, 0)) for v in ("killed", "survived", "equivalent", "timeout", "error")),
             score, f"{result['seconds']:.0f} s, `-j {result['jobs']}` (baseline {result['baseline_seconds']:.1f} s)"]
    return f"| `{name}` | " + " | ".join(cells) + " |"


def mutation_block(root: Path) -> str:
    runs = sorted((root / "docs" / "mutation").glob("*.json"))
    if not runs:
        return "No run is stored under `docs/mutation/`."
    lines = ["| run | target | mutated | generated | measured | killed | survived | equivalent | timeout | error | score | time |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    lines += [_mutation_row(p.stem, json.loads(p.read_text(encoding="utf-8"))) for p in runs]
    return "\n".join(lines)


POWER_ROW = re.compile(r"^\| ([a-z0-9-]+) \| (?:python|cpp) \| ", re.M)


def zoo_block(root: Path) -> str:
    from pytest_trtcache.mutants import MUTANTS

    doc = (root / "docs" / "lifecycle.md").read_text(encoding="utf-8")
    in_table = set(POWER_ROW.findall(doc[doc.index("<!-- zoo:end -->") :])) if "<!-- zoo:end -->" in doc else set()
    missing = sorted(set(MUTANTS) - in_table)
    text = f"The zoo holds {len(MUTANTS)} mutants (`pytest_trtcache/mutants/catalog.py`); the table below measures {len(in_table & set(MUTANTS))} of them."
    if missing:
        text += (f" Not in it ({len(missing)}): " + ", ".join(f"`{m}`" for m in missing)
                 + "; `python ci/lifecycle_power.py --seeds 5 --cap 400 NAME...` measures them.")
    return text


def options_block(root: Path) -> str:
    from pytest_trtcache.plugin.options import markdown_table

    return markdown_table()


BLOCKS = (
    Block("options", "docs/plugin.md", options_block),
    Block("bench", "BENCHMARKS.md", bench_block),
    Block("mutation", "docs/mutation.md", mutation_block),
    Block("zoo", "docs/lifecycle.md", zoo_block),
)


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def with_block(text: str, name: str, body: str) -> str:
    """``text`` with the block ``name`` replaced by ``body``; a missing marker is an error."""
    start, end = markers(name)
    if text.count(start) != 1 or text.count(end) != 1:
        raise ValueError(f"expected one {start} and one {end}")
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{body}\n{end}{tail}"


def stale(root: Path = ROOT) -> list[str]:
    """The blocks whose text differs from what their data renders, as ``file: name``."""
    out = []
    for block in BLOCKS:
        text = (root / block.file).read_text(encoding="utf-8")
        if with_block(text, block.name, block.render(root)) != text:
            out.append(f"{block.file}: {block.name}")
    return out


def write(root: Path = ROOT) -> None:
    for block in BLOCKS:
        path = root / block.file
        path.write_text(with_block(path.read_text(encoding="utf-8"), block.name, block.render(root)), encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        out_of_date = stale()
        for line in out_of_date:
            print(f"out of date: {line}")
        raise SystemExit(1 if out_of_date else 0)
    write()
