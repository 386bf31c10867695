"""Shared helpers for the project's notebook tools: where chapters live, reading and writing them."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
EXERCISES = CHAPTERS / "exercises"
PACKAGE = ROOT / "scratchnet"

_CHAPTER_RE = re.compile(r"^(\d\d)_[a-z0-9_]+\.ipynb$")


def chapter_paths(root: Path = ROOT) -> list[Path]:
    """The chapter notebooks, in book order (their names start with a two-digit number)."""
    return sorted(p for p in (root / "chapters").glob("*.ipynb") if _CHAPTER_RE.match(p.name))


def chapter_number(path: Path) -> int:
    match = _CHAPTER_RE.match(Path(path).name)
    if not match:
        raise ValueError(f"not a chapter notebook name (expected NN_name.ipynb): {path}")
    return int(match.group(1))


def read_nb(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def nb_text(nb: nbformat.NotebookNode) -> str:
    """A notebook as the exact text we commit (stable key order, trailing newline)."""
    return nbformat.writes(nb) + "\n"


def write_nb(nb: nbformat.NotebookNode, path: Path) -> bool:
    """Write `nb` to `path` if its text changed; return whether it did. Writes atomically."""
    text = nb_text(nb)
    path = Path(path)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return True


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def book_config(root: Path = ROOT) -> dict:
    return yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))


def _project(root: Path = ROOT) -> dict:
    return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def package_version(root: Path = ROOT) -> str:
    """The one version number, from pyproject.toml."""
    return _project(root)["version"]


def distribution_name(root: Path = ROOT) -> str:
    """The name pip installs scratchnet by (`scratchnet-course`); the import name is `scratchnet`."""
    return _project(root)["name"]
