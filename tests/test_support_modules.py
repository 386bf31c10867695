"""Support modules (checks, widgets, utils) must not import the chapter-exported modules: the
gating test runs chapter N on a package holding only chapters 1..N-1, and a chapter's checks
and widget are used in that chapter."""

import ast
from pathlib import Path

import pytest

from tools.export import exported_modules, is_generated
from tools.notebooks import PACKAGE

SUPPORT = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts and not is_generated(p))


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    names |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return names


@pytest.mark.parametrize("path", SUPPORT, ids=[str(p.relative_to(PACKAGE)) for p in SUPPORT])
def test_support_module_does_not_import_exported_code(path):
    forbidden = {f"scratchnet.{m}" for m in exported_modules()} | {"scratchnet"}
    assert not imported_modules(path) & forbidden, f"{path.name} imports chapter-exported code"


def test_the_check_is_not_vacuous(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from scratchnet.layers import Dense\n")
    assert "scratchnet.layers" in imported_modules(bad)
    assert len(SUPPORT) >= 6
