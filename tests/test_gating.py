"""Each chapter runs against a scratchnet exported only from the chapters before it."""

import shutil

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from tools import gate
from tools.notebooks import ROOT, chapter_paths

CHAPTERS = chapter_paths()


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_runs_on_earlier_chapters_only(chapter):
    gate.run_gated(chapter)


def test_gated_package_holds_only_earlier_exports(tmp_path):
    package = gate.build_package(1, tmp_path)
    init = (package / "__init__.py").read_text()
    # nothing is exported before chapter 1; only the support module's report() is re-exported
    assert not [line for line in init.splitlines() if line.startswith("from scratchnet.")
                and not line.startswith("from scratchnet._report import")]
    assert (package / "checks" / "_core.py").exists() and (package / "utils.py").exists()
    assert not (package / "layers.py").exists()


def test_a_chapter_using_a_later_chapters_code_fails(tmp_path):
    # A fake book: the real chapter 1, and a chapter 2 that uses Dense.backward (chapter 3's).
    (tmp_path / "chapters").mkdir()
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    shutil.copytree(ROOT / "scratchnet", tmp_path / "scratchnet", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(CHAPTERS[0], tmp_path / "chapters" / CHAPTERS[0].name)
    cheat = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import numpy as np\nimport scratchnet as sn\n"
        "layer = sn.Dense(2, 1, rng=0)\nlayer.forward(np.ones((1, 2)))\n"
        "layer.backward(np.ones((1, 1)))")])
    path = tmp_path / "chapters" / "02_cheat.ipynb"
    nbformat.write(cheat, str(path))
    with pytest.raises(CellExecutionError, match="Dense has no backward"):
        gate.run_gated(path, root=tmp_path)
