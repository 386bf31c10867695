"""Per-chapter gating: run chapter N against a scratchnet exported only from chapters 1..N-1
(plus the hand-written support modules), so no chapter silently uses what a later one builds.

    python -m tools.gate          # every chapter
    python -m tools.gate 03       # chapter 3 only
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tools.export import export, is_generated
from tools.notebooks import ROOT, chapter_number, chapter_paths, read_nb

GUARD = ("import os, scratchnet\n"
         "assert scratchnet.__file__.startswith(os.environ['SCRATCHNET_GATED_PATH']), (\n"
         "    f'the gated run imported {scratchnet.__file__}, not the gated package')")


def build_package(upto: int, dest: Path, root: Path = ROOT) -> Path:
    """Write into dest/scratchnet the support modules plus the export of chapters before `upto`."""
    source, package = root / "scratchnet", Path(dest) / "scratchnet"
    for path in source.rglob("*.py"):
        if "__pycache__" in path.parts or (path.parent == source and is_generated(path)):
            continue
        target = package / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    earlier = [p for p in chapter_paths(root) if chapter_number(p) < upto]
    export(earlier, package=package, root=root)
    return package


def run_gated(chapter: Path, root: Path = ROOT, timeout: int = 600) -> None:
    """Execute `chapter` against the gated package; raises nbclient's CellExecutionError on failure."""
    with tempfile.TemporaryDirectory(prefix="scratchnet-gate-") as tmp:
        build_package(chapter_number(chapter), Path(tmp), root)
        nb = read_nb(chapter)
        nb.cells.insert(0, nbformat.v4.new_code_cell(GUARD))
        env = {**os.environ, "PYTHONPATH": tmp, "SCRATCHNET_GATED_PATH": tmp}
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(chapter.parent)}})
        client.execute(env=env)


def main(argv: list[str]) -> int:
    wanted = {int(a) for a in argv}
    for path in chapter_paths():
        if not wanted or chapter_number(path) in wanted:
            print(f"gating {path.name} on chapters < {chapter_number(path)}", flush=True)
            run_gated(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
