"""Helpers for tests that read the chapter notebooks."""

from __future__ import annotations

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"


def chapter(number: int) -> Path:
    (path,) = CHAPTERS.glob(f"{number:02d}_*.ipynb")
    return path


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def exercise_sources(number: int) -> list[tuple[str, str]]:
    """[(stub source, solution source)] for each exercise of a chapter, in order.

    A stub is a code cell tagged `exercise`; its solution is the next code cell tagged `solution`.
    """
    nb = nbformat.read(str(chapter(number)), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    pairs, stub = [], None
    for cell in code:
        if "exercise" in tags(cell):
            stub = cell.source
        elif "solution" in tags(cell) and stub is not None:
            pairs.append((stub, cell.source))
            stub = None
    return pairs


def define(source: str, name: str, preamble: str = "import numpy as np") -> object:
    """Run a cell's source in a fresh namespace and return the object it defines as `name`."""
    namespace: dict = {}
    exec(compile(preamble + "\n" + source, f"<cell defining {name}>", "exec"), namespace)
    return namespace[name]
